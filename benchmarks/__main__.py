"""``python -m benchmarks NAME``: run one benchmark group and print its figures as JSON on the last line."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

GROUPS = {
    "studio": "benchmarks.studio",
    "lint": "benchmarks.lint",
    "publish": "benchmarks.publish",
    "backend": "benchmarks.backend",
    "beacon": "benchmarks.beacon",
    "browse": "benchmarks.browse",
    "tokens": "benchmarks.tokens",
    "browse-gui": "benchmarks.browse_gui",
    "analytics": "benchmarks.analytics",
    "review": "benchmarks.review",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("group", choices=sorted(GROUPS))
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    args = parser.parse_args()
    module = importlib.import_module(GROUPS[args.group])
    figures = module.run(quick=args.quick)
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
