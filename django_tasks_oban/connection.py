"""Django's database connection in the two shapes Oban.py asks for.

- :class:`DjangoConnection` lets Oban.py's insert run on Django's own
  synchronous connection, so a job commits or rolls back with the ORM's work.
- :func:`build_pool` gives the worker an ``AsyncConnectionPool`` to the same
  database, from ``DATABASES`` and the backend's ``OPTIONS["POOL"]``.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import Any, Self

from django.db import connections
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from .exceptions import EnqueueSuspended

DEFAULT_POOL = {"min_size": 1, "max_size": 10}

# Django-only keys that psycopg's async connections must not receive.
DJANGO_ONLY_PARAMS = ("cursor_factory", "context")
# Keyword arguments of psycopg's ``connect()`` that are not libpq parameters.
PYTHON_PARAMS = ("prepare_threshold", "autocommit", "row_factory")


class DjangoConnection:
    """A Django cursor behind the awaitable ``execute``/``fetchone`` Oban.py uses.

    Nothing here ever suspends, so :func:`run` drives Oban.py's coroutine to the
    end without an event loop.

    >>> from django.db import connection
    >>> with connection.cursor() as cursor:  # doctest: +SKIP
    ...     job = run(oban.enqueue(job, conn=DjangoConnection(cursor)))
    """

    __slots__ = ("_cursor",)

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    async def execute(self, query: Any, params: Any = None) -> Self:
        """Execute ``query`` on the Django cursor; the result is read from ``self``."""
        self._cursor.execute(query, params)
        return self

    async def fetchone(self) -> Any:
        """The next row of the last statement."""
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        """The remaining rows of the last statement."""
        return list(self._cursor.fetchall())


def run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends to its result, without a loop.

    >>> async def answer():
    ...     return 42
    >>> run(answer())
    42
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise EnqueueSuspended(
        "Oban.py awaited real I/O while inserting on Django's synchronous "
        "connection; this version of Oban.py is not supported."
    )


def connection_params(alias: str) -> dict[str, Any]:
    """psycopg connection keyword arguments for the Django database ``alias``.

    Django builds them from ``DATABASES`` (host, port, name, user, password and
    ``OPTIONS`` such as ``sslmode``); only its own Python objects are left out.
    psycopg prepares repeated statements unless ``OPTIONS["prepare_threshold"]``
    says otherwise (``None`` for PgBouncer in transaction mode).
    """
    connection = connections[alias]
    params = connection.get_connection_params()
    for key in DJANGO_ONLY_PARAMS:
        params.pop(key, None)
    if "prepare_threshold" not in connection.settings_dict["OPTIONS"]:
        # Django turns psycopg's prepared statements off unless OPTIONS sets
        # prepare_threshold; the worker's pool keeps psycopg's default, as
        # Oban.py's own pool does, for its fetch and ack statements.
        params.pop("prepare_threshold", None)
    return params


def build_pool(alias: str, options: Mapping[str, Any]) -> AsyncConnectionPool:
    """An unopened ``AsyncConnectionPool`` to the Django database ``alias``.

    ``options`` is ``OPTIONS["POOL"]``: ``min_size``, ``max_size``, ``timeout``...
    The libpq parameters form the pool's conninfo, which Oban.py's notifier
    also uses for its own LISTEN connection.
    """
    params = connection_params(alias)
    kwargs = {key: params.pop(key) for key in PYTHON_PARAMS if key in params}
    return AsyncConnectionPool(
        make_conninfo("", **params),
        kwargs=kwargs,
        open=False,
        name=f"django_tasks_oban.{alias}",
        **{**DEFAULT_POOL, **options},
    )


def describe_database(alias: str) -> str:
    """``host:port/name`` of a Django database, for logs; never the password."""
    settings = connections[alias].settings_dict
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT")
    where = f"{host}:{port}" if port else host
    return f"{where}/{settings.get('NAME') or ''}"
