"""Settings of the example shop: a minimal Django project on django-tasks-oban."""

import json
import os

from devdb import database_settings

SECRET_KEY = "example-only-not-a-secret"
DEBUG = True
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "example_project.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.postgres",
    "django_tasks_oban",
    "shop",
]

# DATABASE_URL, or an embedded PostgreSQL started for this process.
DATABASES = {"default": database_settings()}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
        "OPTIONS": {
            "QUEUE": "default",
            "DEFAULT_CONCURRENCY": 10,
            "QUEUES": {"default": 10, "mail": 5, "heavy_reports": 2},
            "POOL": {"min_size": 1, "max_size": 10},
            "MAX_ATTEMPTS": 20,
            # More OPTIONS as JSON, to try them without editing this file, e.g.
            # EXAMPLE_OBAN_OPTIONS='{"LIFELINE": {"rescue_after": 30}}'
            **json.loads(os.environ.get("EXAMPLE_OBAN_OPTIONS", "{}")),
        },
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "django_tasks_oban": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
