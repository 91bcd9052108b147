"""`portal-config doctor`: why a portal link fails in one environment.

read.py looks (through the gateway), judge.py concludes (pure), report.py renders; the values
they pass along are in observation.py.
"""

from .judge import judge
from .observation import Finding, Observation, exit_code
from .read import examine, load
from .report import json_text, text

__all__ = ["Finding", "Observation", "examine", "exit_code", "json_text", "judge", "load", "text"]
