"""The `gridgov` command: Django's management commands under one name.

`gridgov up | demo | serve | worker | import | export | doctor | bench …` — each is a
management command in the app that owns it; `gridgov help` lists them all.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridgov", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
