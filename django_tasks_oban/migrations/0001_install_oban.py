"""Install Oban.py's schema (``oban_jobs``, ``oban_producers``, ``oban_leaders``)."""

from typing import Any

from django.db import migrations

from django_tasks_oban.schema import install, prefixes_for, uninstall


def forwards(apps: Any, schema_editor: Any) -> None:
    for prefix in prefixes_for(schema_editor.connection.alias):
        install(schema_editor, prefix)


def backwards(apps: Any, schema_editor: Any) -> None:
    for prefix in prefixes_for(schema_editor.connection.alias):
        uninstall(schema_editor, prefix)


class Migration(migrations.Migration):
    initial = True
    operations = [migrations.RunPython(forwards, backwards)]
