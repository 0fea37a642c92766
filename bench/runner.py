"""Runs scenarios inside the throw-away database: `python -m bench.runner --out FILE [--quick] [--only NAME]`.

`gridgov bench` starts this in a subprocess whose GRIDGOV_DATABASE_URL names a scratch database,
so no scenario can reach the user's data. It migrates the scratch database, runs the scenarios
listed in bench/registry.py and writes their figures to FILE as JSON.
"""

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path


def scenario_names(only: str | None) -> list[str]:
    from bench.registry import SCENARIOS

    if only is None:
        return list(SCENARIOS)
    if only not in SCENARIOS:
        raise SystemExit(f"没有名为 {only!r} 的场景；可选：{', '.join(SCENARIOS)}")
    return [only]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.runner")
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    figures = []
    for name in scenario_names(args.only):
        module = importlib.import_module(f"bench.{name}")
        started = time.monotonic()
        print(f"… {module.NAME}", file=sys.stderr, flush=True)
        for figure in module.run(quick=args.quick):
            figures.append(figure.as_dict())
            print(f"  {figure.name}：{figure.value} {figure.unit}（上限 {figure.ceiling}）", file=sys.stderr, flush=True)
        print(f"  {module.NAME}：{time.monotonic() - started:.1f} 秒", file=sys.stderr, flush=True)
    Path(args.out).write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
