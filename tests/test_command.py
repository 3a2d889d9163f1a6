"""``oban_worker``'s arguments: bad input is a CommandError with the reason."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from django_tasks_oban.management.commands.oban_worker import parse_queues


def test_parse_queues():
    assert parse_queues("high_priority:20,default,mail:5", 15) == {
        "high_priority": 20,
        "default": 15,
        "mail": 5,
    }
    assert parse_queues(" a : 2 , b ", 3) == {"a": 2, "b": 3}


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("mail:0", "the limit of 'mail' must be at least 1, not 0"),
        ("mail:-2", "the limit of 'mail' must be at least 1, not -2"),
        ("mail:x", "the limit of 'mail' must be a whole number, not 'x'"),
        (":5", "':5' has no queue name"),
        ("", "'' has no queue name"),
        ("default,,mail", "'' has no queue name"),
    ],
)
def test_malformed_queues(spec, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("oban_worker", queues=spec)


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_malformed_grace_period(value):
    with pytest.raises(CommandError, match="must be a number of seconds"):
        call_command("oban_worker", "--shutdown-grace-period", value)


@override_settings(
    TASKS={
        "default": {"BACKEND": "django_tasks_oban.backends.ObanTaskBackend"},
        "dummy": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"},
        "broken": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": {"QUEUES": {"default": 0}},
        },
    }
)
@pytest.mark.parametrize(
    ("alias", "reason"),
    [
        ("dummy", "TASKS\\['dummy'\\] is DummyBackend, not ObanTaskBackend"),
        ("nowhere", "The connection 'nowhere' doesn't exist"),
        ("broken", "QUEUES\\['default'\\] must be a positive integer"),
    ],
)
def test_backend_must_be_a_working_oban_backend(alias, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("oban_worker", backend=alias, skip_checks=True)
