"""The floors: the least a program must do for the same job, run as a child process like the
command it is compared with (so interpreter start-up is in both).

    python benchmarks/floors.py validate CONFIGS_DIR SCHEMA_JSON
        parse each *.yaml with yaml.CSafeLoader, check it with ONE prebuilt jsonschema validator
    python benchmarks/floors.py paging API_BASE    (key in $PORTAL_CONFIG_BENCH_KEY)
        page GET /v1/billing_portal/configurations?limit=100 with starting_after, requests + json

Run as a script, not as part of the package: it imports only what its job needs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FLOOR_SCRIPT = Path(__file__).resolve()
KEY_VAR = "PORTAL_CONFIG_BENCH_KEY"  # as workload.KEY_VAR; not imported, to stay standalone


def validate(configs: Path, schema_file: Path) -> int:
    import json

    import jsonschema
    import yaml

    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = 0
    files = sorted(p for p in configs.glob("*.yaml") if p.name != "portal-config.yaml")
    for path in files:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=yaml.CSafeLoader)
        errors += sum(1 for _ in validator.iter_errors(document))
    print(f"{len(files)} files, {errors} errors")
    return 1 if errors else 0


def paging(api_base: str) -> int:
    import json

    import requests

    session = requests.Session()
    session.trust_env = False  # loopback: no proxy, as portal-config does
    headers = {"Authorization": f"Bearer {os.environ[KEY_VAR]}"}
    params: dict[str, str | int] = {"limit": 100}
    count = 0
    while True:
        response = session.get(
            f"{api_base}/v1/billing_portal/configurations",
            params=params,
            headers=headers,
            timeout=30,
        )
        response.raise_for_status()
        page = json.loads(response.content)
        count += len(page["data"])
        if not page["has_more"]:
            break
        params["starting_after"] = page["data"][-1]["id"]
    print(f"{count} configurations")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["validate"] and len(argv) == 3:
        return validate(Path(argv[1]), Path(argv[2]))
    if argv[:1] == ["paging"] and len(argv) == 2:
        return paging(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
