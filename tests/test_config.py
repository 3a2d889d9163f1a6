"""``OPTIONS`` parsing: every problem becomes a clear message with a check id."""

import pytest

from django_tasks_oban.config import CronEntry, ObanOptions, OptionsError


def problems(options):
    with pytest.raises(OptionsError) as raised:
        ObanOptions.from_options(options)
    return [(problem.id, problem.msg) for problem in raised.value.problems]


def test_defaults():
    options = ObanOptions.from_options({})
    assert options.queue == "default"
    assert options.queues == {"default": 10}
    assert options.max_attempts == 20
    assert options.prefix == "public"
    assert options.database == "default"
    assert options.pool == {}
    assert options.cron == ()
    assert options.oban == {}


def test_full_options():
    options = ObanOptions.from_options(
        {
            "QUEUE": "mail",
            "DEFAULT_CONCURRENCY": 15,
            "QUEUES": {"default": 10, "mail": 5, "heavy_reports": None},
            "POOL": {"min_size": 1, "max_size": 20},
            "DATABASE": "jobs",
            "PREFIX": "private",
            "MAX_ATTEMPTS": 7,
            "NODE": "web-1",
            "SHUTDOWN_GRACE_PERIOD": 30,
            "LIFELINE": {"rescue_after": 600},
            "PRUNER": {"max_age": 3600},
            "STAGER": {"interval": 0.5},
            "REFRESHER": {"interval": 10},
            "METRICS": True,
            "SCHEDULER": {"timezone": "Europe/Lisbon"},
            "CRON": [
                ("*/5 * * * *", "shop.tasks.cleanup"),
                ["@daily", "shop.tasks.report", {"timezone": "Europe/Lisbon"}],
            ],
        }
    )
    assert options.queues == {"default": 10, "mail": 5, "heavy_reports": 15}
    assert options.queue == "mail"
    assert options.pool == {"min_size": 1, "max_size": 20}
    assert (options.database, options.prefix, options.max_attempts) == (
        "jobs",
        "private",
        7,
    )
    assert options.cron == (
        CronEntry("*/5 * * * *", "shop.tasks.cleanup"),
        CronEntry("@daily", "shop.tasks.report", "Europe/Lisbon"),
    )
    assert options.oban == {
        "node": "web-1",
        "shutdown_grace_period": 30,
        "lifeline": {"rescue_after": 600},
        "pruner": {"max_age": 3600},
        "stager": {"interval": 0.5},
        "refresher": {"interval": 10},
        "metrics": True,
        "scheduler": {"timezone": "Europe/Lisbon"},
    }


def test_queue_defaults_to_its_own_queue_when_queues_missing():
    options = ObanOptions.from_options({"QUEUE": "mail", "DEFAULT_CONCURRENCY": 4})
    assert options.queues == {"mail": 4}


def test_unknown_key_names_the_typo():
    assert problems({"QUEUS": {"a": 1}}) == [
        ("django_tasks_oban.E003", "Unknown OPTIONS key(s): QUEUS.")
    ]


@pytest.mark.parametrize("value", [0, -1, 1.5, "10", True])
def test_bad_default_concurrency(value):
    assert problems({"DEFAULT_CONCURRENCY": value}) == [
        (
            "django_tasks_oban.E004",
            f"DEFAULT_CONCURRENCY must be a positive integer, not {value!r}.",
        )
    ]


@pytest.mark.parametrize("value", [0, -3, "x", 2.5])
def test_bad_queue_limit(value):
    assert problems({"QUEUES": {"default": 1, "mail": value}}) == [
        (
            "django_tasks_oban.E004",
            f"QUEUES['mail'] must be a positive integer, not {value!r}.",
        )
    ]


@pytest.mark.parametrize("value", [{}, ["default"], "default"])
def test_queues_must_be_a_mapping(value):
    ids = [problem_id for problem_id, _ in problems({"QUEUES": value})]
    assert ids[0] == "django_tasks_oban.E004"


def test_blank_queue_name():
    assert problems({"QUEUES": {"default": 1, " ": 2}})[0] == (
        "django_tasks_oban.E004",
        "Queue names must be non-empty strings, not ' '.",
    )


def test_queue_not_in_queues():
    assert problems({"QUEUE": "mail", "QUEUES": {"default": 1}}) == [
        ("django_tasks_oban.E005", "QUEUE 'mail' is not one of QUEUES (default).")
    ]


def test_pool_min_greater_than_max():
    assert problems({"POOL": {"min_size": 5, "max_size": 2}}) == [
        (
            "django_tasks_oban.E006",
            "POOL min_size (5) is greater than max_size (2).",
        )
    ]


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        ([1, 2], "POOL must be a dict, not [1, 2]."),
        ({"maxsize": 3}, "Unknown POOL key(s): maxsize."),
        ({"max_size": -1}, "POOL['max_size'] must be a non-negative integer, not -1."),
        (
            {"min_size": "2"},
            "POOL['min_size'] must be a non-negative integer, not '2'.",
        ),
    ],
)
def test_bad_pool(pool, message):
    assert problems({"POOL": pool}) == [("django_tasks_oban.E006", message)]


@pytest.mark.parametrize("value", [0, "3", None])
def test_bad_max_attempts(value):
    assert problems({"MAX_ATTEMPTS": value})[0][0] == "django_tasks_oban.E007"


@pytest.mark.parametrize("key", ["DATABASE", "PREFIX"])
def test_database_and_prefix_are_names(key):
    assert problems({key: ""}) == [
        ("django_tasks_oban.E008", f"{key} must be a non-empty string, not ''.")
    ]


@pytest.mark.parametrize(
    "cron",
    [
        [("* * *", "shop.tasks.cleanup")],
        [("61 * * * *", "shop.tasks.cleanup")],
        [("@daily", "shop.tasks.report", {"timezone": "Mars/Olympus"})],
        [("@daily",)],
        [("@daily", "shop.tasks.report", {"tz": "UTC"})],
        [("@daily", "shop.tasks.report", {"timezone": 1})],
        [(5, "shop.tasks.report")],
        "not a list of entries",
    ],
)
def test_bad_cron(cron):
    found = problems({"CRON": cron})
    assert [problem_id for problem_id, _ in found] == ["django_tasks_oban.E010"]


def test_every_problem_is_reported_at_once():
    found = problems({"QUEUES": {"default": 0}, "MAX_ATTEMPTS": 0, "TYPO": 1})
    assert [problem_id for problem_id, _ in found] == [
        "django_tasks_oban.E003",
        "django_tasks_oban.E004",
        "django_tasks_oban.E005",
        "django_tasks_oban.E007",
    ]
    with pytest.raises(OptionsError, match="Unknown OPTIONS key"):
        ObanOptions.from_options({"TYPO": 1})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"LIFELINE": {"rescue_afer": 600}},
            "unexpected keyword argument 'rescue_afer'",
        ),
        ({"LIFELINE": {"interval": -1}}, "interval must be positive"),
        ({"PRUNER": {"max_age": "x"}}, "max_age"),
        ({"SCHEDULER": {"timezone": "Mars/Olympus"}}, "Mars/Olympus"),
        ({"NODE": ""}, "NODE must be a non-empty string, not ''"),
        ({"NODE": 7}, "NODE must be a non-empty string, not 7"),
        ({"SHUTDOWN_GRACE_PERIOD": -1}, "SHUTDOWN_GRACE_PERIOD must be seconds"),
        ({"SHUTDOWN_GRACE_PERIOD": "15"}, "SHUTDOWN_GRACE_PERIOD must be seconds"),
    ],
)
def test_oban_settings_are_checked_by_oban(options, message):
    ((problem_id, text),) = problems(options)
    assert problem_id == "django_tasks_oban.E012"
    assert text.startswith("Oban.py refuses these settings: ")
    assert message in text


def test_oban_settings_that_oban_accepts():
    options = ObanOptions.from_options(
        {"SHUTDOWN_GRACE_PERIOD": None, "NODE": "web-1", "METRICS": {"interval": 2}}
    )
    assert options.oban["shutdown_grace_period"] is None


def test_parse_keeps_the_valid_options_beside_the_problems():
    parsed, found = ObanOptions.parse(
        {"DATABASE": "jobs", "QUEUES": {"mail": 0}, "QUEUE": "mail", "TYPO": 1}
    )
    assert [problem.id for problem in found] == [
        "django_tasks_oban.E003",
        "django_tasks_oban.E004",
        "django_tasks_oban.E005",
    ]
    assert parsed.database == "jobs"
    assert parsed.queues == {"default": 10}
    assert parsed.queue == "default"
    parsed, _ = ObanOptions.parse({"DATABASE": 3, "PREFIX": "", "MAX_ATTEMPTS": 0})
    assert (parsed.database, parsed.prefix, parsed.max_attempts) == (
        "default",
        "public",
        20,
    )


def test_queues_given_as_oban_options():
    options = ObanOptions.from_options(
        {
            "DEFAULT_CONCURRENCY": 4,
            "QUEUES": {
                "default": 10,
                "mail": {"limit": 5, "paused": True},
                "bulk": {"debounce_interval": 0.05},
            },
        }
    )
    assert options.queues == {"default": 10, "mail": 5, "bulk": 4}
    assert options.oban_queues({"default": 3, "mail": 5, "bulk": 4}) == {
        "default": {"debounce_interval": 0.002, "limit": 3},
        "mail": {"debounce_interval": 0.002, "paused": True, "limit": 5},
        "bulk": {"debounce_interval": 0.05, "limit": 4},
    }


@pytest.mark.parametrize("value", [-1, "soon", True])
def test_bad_debounce_interval(value):
    assert problems({"QUEUES": {"default": {"debounce_interval": value}}}) == [
        (
            "django_tasks_oban.E004",
            f"QUEUES['default']['debounce_interval'] must be seconds (>= 0), "
            f"not {value!r}.",
        )
    ]


def test_bad_limit_in_a_queue_dict():
    assert problems({"QUEUES": {"default": {"limit": 0}}})[0] == (
        "django_tasks_oban.E004",
        "QUEUES['default'] must be a positive integer, not 0.",
    )
