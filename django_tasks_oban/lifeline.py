"""Rescue of orphaned jobs: only those whose worker is gone.

Oban.py's open-source lifeline resets every job ``executing`` for longer than
``rescue_after``, even while a live worker still runs it, so a long task would
run twice. Liveness is already in Oban's tables: each producer heartbeats in
``oban_producers`` and ``attempted_by`` names the producer of each attempt. This
module plugs a rescue into Oban.py's ``lifeline.rescue`` extension point that
resets a job only once its producer's row is gone (deleted at a graceful stop,
or expired by the refresher after its ``max_age`` without a heartbeat).
"""

from __future__ import annotations

from oban import telemetry
from oban._extensions import put_ext
from oban._query import Query


async def rescue_orphaned_jobs(query: Query, rescue_after: float) -> None:
    """Reset to ``available`` the executing jobs whose producer is gone."""
    with telemetry.span("oban.lifeline.rescue", {}) as context:
        statement = Query._load_file(
            "rescue_orphaned_jobs.sql",
            query._prefix,
            package="django_tasks_oban.queries",
        )
        async with query.connection() as conn, conn.transaction():
            cursor = await conn.execute(statement, {"rescue_after": rescue_after})
        context.add({"rescued_count": cursor.rowcount})


def install() -> None:
    """Use :func:`rescue_orphaned_jobs` for Oban.py's lifeline in this process."""
    put_ext("lifeline.rescue", rescue_orphaned_jobs)
