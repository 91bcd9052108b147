"""`portal-config doctor`: why a portal link fails in one environment (a fleet's: in each of
its accounts, fleet.py).

read.py looks (through the gateway), judge.py concludes (pure), report.py renders; the values
they pass along are in observation.py.
"""

from .fleet import Asked, examine_fleet
from .judge import judge
from .observation import Finding, Observation, exit_code
from .read import examine, load
from .report import fleet_json, fleet_text, json_text, text

__all__ = [
    "Asked",
    "Finding",
    "Observation",
    "examine",
    "examine_fleet",
    "exit_code",
    "fleet_json",
    "fleet_text",
    "json_text",
    "judge",
    "load",
    "text",
]
