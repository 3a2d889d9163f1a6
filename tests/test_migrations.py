"""``manage.py migrate`` installs Oban.py's schema; migrating to zero removes it."""

import asyncio

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from oban.schema import install as oban_install
from shop.tasks import process_order

from django_tasks_oban.connection import build_pool
from django_tasks_oban.schema import prefixes_for
from tests.conftest import clear_oban_tables

pytestmark = pytest.mark.django_db(transaction=True)


def tables(schema="public"):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND table_name LIKE 'oban_%%' ORDER BY 1",
            [schema],
        )
        return [name for (name,) in cursor.fetchall()]


OBAN_TABLES = ["oban_jobs", "oban_leaders", "oban_producers"]


def test_migrate_installs_and_zero_removes():
    assert tables() == OBAN_TABLES
    try:
        call_command("migrate", "django_tasks_oban", "zero", verbosity=0)
        assert tables() == []
    finally:
        call_command("migrate", "django_tasks_oban", verbosity=0)
    assert tables() == OBAN_TABLES


def test_migrate_keeps_an_existing_oban_installation():
    call_command("migrate", "django_tasks_oban", "zero", verbosity=0)
    try:

        async def install_with_oban_py():
            pool = build_pool("default", {})
            async with pool:
                await oban_install(pool)

        asyncio.run(install_with_oban_py())
        kept = process_order.enqueue(1)
    finally:
        call_command("migrate", "django_tasks_oban", verbosity=0)
    assert process_order.get_result(kept.id).args == [1]
    clear_oban_tables()


PRIVATE = {
    "default": {
        "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
        "OPTIONS": {"PREFIX": "jobs_private"},
    }
}


def test_migrate_honours_prefix():
    with override_settings(TASKS=PRIVATE):
        call_command("migrate", "django_tasks_oban", "zero", verbosity=0)
        try:
            call_command("migrate", "django_tasks_oban", verbosity=0)
            assert tables("jobs_private") == OBAN_TABLES
            with connection.cursor() as cursor:
                cursor.execute("SHOW search_path")
                assert "jobs_private" not in cursor.fetchone()[0]
        finally:
            call_command("migrate", "django_tasks_oban", "zero", verbosity=0)
        assert tables("jobs_private") == []
    call_command("migrate", "django_tasks_oban", verbosity=0)
    assert tables() == OBAN_TABLES


@pytest.mark.parametrize(
    ("tasks", "alias", "expected"),
    [
        ({}, "default", ["public"]),
        ({}, "other", []),
        (
            {
                "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"},
                "a": {
                    "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
                    "OPTIONS": {"DATABASE": "other", "PREFIX": "x"},
                },
                "b": {
                    "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
                    "OPTIONS": {"DATABASE": "other", "PREFIX": "x"},
                },
                "c": {"BACKEND": "django_tasks_oban.backends.ObanTaskBackend"},
            },
            "other",
            ["x"],
        ),
        (
            {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}},
            "default",
            ["public"],
        ),
    ],
)
def test_prefixes_for(tasks, alias, expected):
    with override_settings(TASKS=tasks):
        assert prefixes_for(alias) == expected
