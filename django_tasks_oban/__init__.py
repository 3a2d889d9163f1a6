"""A transactional Django 6 ``TASKS`` backend and worker on Oban.py."""

from importlib.metadata import version

__version__ = version("django-tasks-oban")
