"""A database that cannot be reached: the original error, and nothing written."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from shop.tasks import process_order

UNREACHABLE = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "shop",
    "HOST": "127.0.0.1",
    "PORT": "9",
    "OPTIONS": {"connect_timeout": 2},
}
SETTINGS = {
    "default": {
        "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
        "OPTIONS": {"DATABASE": "unreachable"},
    }
}


# Outside Django's test cases, which forbid connections to undeclared aliases.
def test_unreachable_database_raises_operational_error(
    django_db_setup, django_db_blocker, extra_database
):
    extra_database("unreachable", UNREACHABLE)
    with django_db_blocker.unblock(), override_settings(TASKS=SETTINGS):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM oban_jobs")
            before = cursor.fetchone()[0]
        with pytest.raises(OperationalError):
            process_order.enqueue(1)
        with pytest.raises(OperationalError):
            process_order.get_result("1")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM oban_jobs")
            assert cursor.fetchone()[0] == before
