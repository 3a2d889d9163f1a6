"""Django's connection as Oban.py's: the sync bridge and the worker's pool."""

import asyncio

import pytest
from django.db import connection
from psycopg.conninfo import conninfo_to_dict

from django_tasks_oban.connection import (
    DjangoConnection,
    build_pool,
    describe_database,
    run,
)
from django_tasks_oban.exceptions import EnqueueSuspended


def test_run_returns_the_result_of_a_coroutine_that_never_suspends():
    async def answer():
        return 42

    assert run(answer()) == 42


def test_run_refuses_a_coroutine_that_suspends():
    async def suspends():
        await asyncio.sleep(0)

    with pytest.raises(EnqueueSuspended, match="awaited real I/O"):
        run(suspends())


@pytest.mark.django_db
def test_bridge_executes_on_the_django_cursor():
    async def query(conn):
        await conn.execute("SELECT %(a)s + 1 UNION ALL SELECT 5", {"a": 1})
        first = await conn.fetchone()
        rest = await conn.fetchall()
        return first, rest

    with connection.cursor() as cursor:
        assert run(query(DjangoConnection(cursor))) == ((2,), [(5,)])


@pytest.mark.django_db
def test_pool_connects_to_the_django_database():
    pool = build_pool("default", {"min_size": 1, "max_size": 3})
    assert (pool.min_size, pool.max_size) == (1, 3)
    params = conninfo_to_dict(pool.conninfo)
    assert params["dbname"] == connection.settings_dict["NAME"]
    assert pool.kwargs == {}

    async def database_name():
        async with pool, pool.connection() as conn:
            cursor = await conn.execute("SELECT current_database()")
            return (await cursor.fetchone())[0]

    assert asyncio.run(database_name()) == connection.settings_dict["NAME"]


def test_pool_passes_options_and_never_shows_the_password(extra_database):
    extra_database(
        "secret",
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "shop",
            "USER": "shop",
            "PASSWORD": "s3cret-password",
            "HOST": "db.example",
            "PORT": "6432",
            "OPTIONS": {
                "sslmode": "require",
                "server_side_binding": True,
                "prepare_threshold": None,
            },
        },
    )
    pool = build_pool("secret", {})
    params = conninfo_to_dict(pool.conninfo)
    assert params["sslmode"] == "require"
    assert params["host"] == "db.example"
    assert "server_side_binding" not in params
    assert pool.kwargs == {"prepare_threshold": None}
    assert (pool.min_size, pool.max_size) == (1, 10)
    shown = describe_database("secret")
    assert shown == "db.example:6432/shop"
    assert "s3cret" not in shown and "s3cret" not in repr(pool)


def test_describe_database_without_host(extra_database):
    extra_database("local", {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"})
    assert describe_database("local") == "localhost/shop"
