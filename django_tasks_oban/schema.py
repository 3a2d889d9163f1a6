"""Install and remove Oban.py's schema on a Django database connection."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from oban.schema import install_sql, uninstall_sql


def prefixes_for(alias: str) -> list[str]:
    """The Oban schemas (``PREFIX``) that the task backends keep on ``alias``.

    A project whose ``TASKS`` names no ``ObanTaskBackend`` gets Oban's default,
    ``public`` on the ``default`` database, so that the app always migrates.
    """
    from .backends import ObanTaskBackend

    found: list[str] = []
    any_backend = False
    for params in getattr(settings, "TASKS", {}).values():
        if not issubclass(import_string(params["BACKEND"]), ObanTaskBackend):
            continue
        any_backend = True
        options = params.get("OPTIONS", {})
        prefix = options.get("PREFIX", "public")
        if options.get("DATABASE", "default") == alias and prefix not in found:
            found.append(prefix)
    if not any_backend and alias == "default":
        found.append("public")
    return found


def install(editor: Any, prefix: str) -> None:
    """Create Oban's tables in ``prefix``; a no-op where they already exist.

    Oban.py's installer looks up its type in ``current_schema()``, so the
    ``search_path`` points at the prefix while it runs.
    """
    quoted = editor.quote_name(prefix)
    with editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        (search_path,) = cursor.fetchone()
    editor.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
    editor.execute("SELECT set_config('search_path', %s, true)", [quoted])
    editor.execute(install_sql(prefix))
    editor.execute("SELECT set_config('search_path', %s, true)", [search_path])


def uninstall(editor: Any, prefix: str) -> None:
    """Drop Oban's tables and type from ``prefix``, leaving the schema itself."""
    editor.execute(uninstall_sql(prefix))
