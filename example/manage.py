#!/usr/bin/env python
"""Django's command-line utility for the example project.

Run it from anywhere: ``uv run python example/manage.py oban_worker``. Without
``DATABASE_URL`` each run starts its own embedded PostgreSQL (see ``devdb.py``);
set ``DATABASE_URL`` to share one database between commands.
"""

import os
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).resolve().parent
    # The example apps live next to this file; the package one level up.
    for path in (here, here.parent):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
