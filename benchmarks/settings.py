"""Django settings of the benchmarks: both backends on one PostgreSQL database.

``TASKS["default"]`` is this package's ``ObanTaskBackend``; ``TASKS["db"]`` is
django-tasks-db's ``DatabaseBackend``, the peer the benchmarks compare with.
The database is ``DATABASE_URL``, or an embedded PostgreSQL started by
``example/devdb.py`` (child processes inherit its ``DATABASE_URL``).
"""

import os

from devdb import database_settings

SECRET_KEY = "benchmarks"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.postgres",
    "django_tasks_oban",
    "django_tasks_db",
    "benchmarks",
]
DATABASES = {"default": database_settings()}
TASKS = {
    "default": {
        "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
        "OPTIONS": {"QUEUES": {"default": 10}},
    },
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# Django logs every task's start and finish at INFO. Raw Oban.py logs nothing per
# job, so the per-task lines are off for all workers (db_worker runs with
# --verbosity 0); the worker's own start/stop lines stay on.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.tasks": {"handlers": ["stderr"], "level": "WARNING"},
        "django_tasks_oban": {"handlers": ["stderr"], "level": "INFO"},
    },
}

# BENCH_PREPARE_THRESHOLD=5 turns psycopg's automatic prepared statements back
# on (Django turns them off by default); worker.py uses it for its "info" rows.
if threshold := os.environ.get("BENCH_PREPARE_THRESHOLD"):
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(threshold)
