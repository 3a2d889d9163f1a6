"""System checks: bad settings give an error with an id and a hint."""

import pytest
from django.core import checks
from django.tasks import task_backends
from django.tasks.checks import check_tasks
from django.test import override_settings
from django.test.utils import modify_settings

from tests import tasks  # imported under the project's settings

pytestmark = pytest.mark.django_db


def backend(**options):
    return {
        "default": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": options,
        }
    }


def errors():
    """What Django's task check (``django.tasks.checks``) reports."""
    return [(message.id, message.msg) for message in check_tasks()]


def test_project_settings_pass():
    assert errors() == []
    assert [
        message
        for message in checks.run_checks()
        if message.id and message.id.startswith("django_tasks_oban")
    ] == []


def test_options_problems_become_errors_with_hints():
    with override_settings(TASKS=backend(QUEUES={"default": -1}, TYPO=1)):
        messages = [
            message
            for message in checks.run_checks()
            if message.id and message.id.startswith("django_tasks_oban")
        ]
    assert [message.id for message in messages] == [
        "django_tasks_oban.E003",
        "django_tasks_oban.E004",
        "django_tasks_oban.E005",
    ]
    assert all(message.hint for message in messages)
    assert messages[0].msg == "TASKS['default']: Unknown OPTIONS key(s): TYPO."
    assert all(message.level == checks.ERROR for message in messages)


@pytest.mark.parametrize("app", ["django.contrib.postgres", "django_tasks_oban"])
def test_missing_apps(app):
    with modify_settings(INSTALLED_APPS={"remove": [app]}):
        assert errors() == [
            (
                "django_tasks_oban.E002",
                f"TASKS['default'] uses ObanTaskBackend but {app!r} is not in "
                "INSTALLED_APPS.",
            )
        ]


def test_database_alias_must_exist():
    with override_settings(TASKS=backend(DATABASE="jobs")):
        assert errors() == [
            (
                "django_tasks_oban.E009",
                "TASKS['default']: DATABASE 'jobs' is not in DATABASES.",
            )
        ]


def test_database_must_be_postgresql(extra_database):
    extra_database("lite", {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})
    with override_settings(TASKS=backend(DATABASE="lite")):
        assert errors() == [
            (
                "django_tasks_oban.E001",
                "TASKS['default']: database 'lite' is not PostgreSQL.",
            )
        ]


def test_cron_paths_must_be_tasks():
    cron = [
        ("@daily", "tests.tasks.cron_tick"),
        ("@daily", "tests.tasks.not_a_task"),
        ("@daily", "tests.nowhere.task"),
    ]
    with override_settings(TASKS=backend(CRON=cron)):
        found = errors()
    assert found == [
        (
            "django_tasks_oban.E011",
            "TASKS['default']: CRON task 'tests.tasks.not_a_task' is a function, "
            "not a Django task.",
        ),
        (
            "django_tasks_oban.E011",
            "TASKS['default']: CRON task 'tests.nowhere.task' cannot be imported "
            "(No module named 'tests.nowhere').",
        ),
    ]


def test_cron_tasks_must_belong_to_the_backend():
    tasks_setting = {
        **backend(QUEUES={"default": 1, "mail": 1}),
        "other": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": {"CRON": [("@daily", "tests.tasks.add")]},
        },
    }
    with override_settings(TASKS=tasks_setting):
        assert errors() == [
            (
                "django_tasks_oban.E011",
                "TASKS['other']: CRON task 'tests.tasks.add' belongs to the TASKS "
                "backend 'default'.",
            )
        ]


def test_cron_tasks_must_run_without_arguments():
    with override_settings(
        TASKS=backend(
            QUEUES={"default": 1, "mail": 1}, CRON=[("@daily", "tests.tasks.add")]
        )
    ):
        assert errors() == [
            (
                "django_tasks_oban.E011",
                "TASKS['default']: CRON task 'tests.tasks.add' cannot be called "
                "without arguments (tests.tasks.add: missing a required argument: "
                "'a').",
            )
        ]


def test_bad_options_still_check_the_database_and_let_tasks_import():
    with override_settings(TASKS=backend(DATABASE="jobs", TYPO=1)):
        assert [problem_id for problem_id, _ in errors()] == [
            "django_tasks_oban.E003",
            "django_tasks_oban.E009",
        ]
        assert task_backends["default"].queues == set()
        assert tasks.async_add.using(priority=1).queue_name == "mail"


def test_invalid_cron_expression():
    with override_settings(TASKS=backend(CRON=[("every day", "tests.tasks.add")])):
        assert [problem_id for problem_id, _ in errors()] == ["django_tasks_oban.E010"]
