"""Settings that django-stubs' mypy plugin loads: no database server needed."""

SECRET_KEY = "types"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.postgres",
    "django_tasks_oban",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "types"}}
