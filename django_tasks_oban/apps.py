"""The Django application of django-tasks-oban."""

from django.apps import AppConfig


class DjangoTasksObanConfig(AppConfig):
    """Installs Oban's schema through migrations and the ``oban_worker`` command."""

    name = "django_tasks_oban"
    verbose_name = "Oban tasks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register Django's task checks, which run ``ObanTaskBackend.check()``.

        Django registers them when ``django.tasks`` is first imported, which a
        project may not do before ``manage.py check`` runs.
        """
        import django.tasks  # noqa: F401
