"""`python -m toki.transport.darp_check INSTANCE SOLUTION.json`: the verdict as JSON.

SOLUTION.json is `{"routes": [[node, ...], ...]}` (node ids of the instance file, depots left out), for example
the output of `python -m toki.transport.darp.solve`.
"""

import argparse
import json
import sys
from pathlib import Path

from . import CheckInputError, check, read_instance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toki.transport.darp_check", description=__doc__)
    parser.add_argument("instance", type=Path)
    parser.add_argument("solution", type=Path)
    args = parser.parse_args(argv)
    try:
        inst = read_instance(args.instance.read_text(encoding="utf-8"))
        data = json.loads(args.solution.read_text(encoding="utf-8"))
        routes = data["routes"]
        if not isinstance(routes, list) or not all(
            isinstance(r, list) and all(isinstance(x, int) for x in r) for r in routes
        ):
            raise CheckInputError("solution: routes must be a list of lists of node ids")
    except (OSError, ValueError, KeyError, CheckInputError) as exc:
        print(f"darp_check: {exc}", file=sys.stderr)
        return 2
    verdict = check(inst, routes)
    print(json.dumps(verdict.as_dict(), indent=2))
    return 0 if verdict.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
