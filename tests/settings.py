"""Settings of the test suite: the database comes from ``example/devdb.py``."""

import json
import os

from devdb import database_settings

SECRET_KEY = "tests"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.postgres",
    "django_tasks_oban",
    "shop",
    "tests.apps.TestsConfig",
    # Worker tests add apps (such as signal receivers) through the environment.
    *json.loads(os.environ.get("OBAN_TEST_APPS", "[]")),
]
DATABASES = {"default": database_settings()}
# Worker tests of persistent connections set CONN_MAX_AGE through the environment.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("OBAN_TEST_CONN_MAX_AGE", 0))
TASKS = {
    "default": {
        "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
        "OPTIONS": {
            "QUEUES": {"default": 10, "mail": 5, "heavy_reports": 2},
            "MAX_ATTEMPTS": 3,
            # Worker tests tune Oban.py's timings through the environment.
            **json.loads(os.environ.get("OBAN_TEST_OPTIONS", "{}")),
        },
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django_tasks_oban": {"handlers": ["console"], "level": "INFO"},
        "django.tasks": {"handlers": ["console"], "level": "INFO"},
    },
}
