"""Tasks in a module the worker never imports before their job arrives."""

from django.tasks import task


@task
def lazy_double(n):
    return 2 * n
