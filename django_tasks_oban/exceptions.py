"""Exceptions of django-tasks-oban, built on ``django.tasks.exceptions``."""

from django.tasks.exceptions import InvalidTask, TaskException


class JobError(TaskException):
    """An error recorded on a job without a Python traceback.

    Oban stores a ``Cancel`` reason, or an error written by Oban for Elixir, as
    plain text; its ``TaskError`` names this class.
    """


class NotATask(InvalidTask):
    """A job names something that is not a Django task nor an Oban.py worker.

    The worker refuses it without calling it, and discards the job.
    """


class EnqueueSuspended(RuntimeError):
    """Oban.py suspended while inserting on Django's synchronous connection.

    The insert on Django's connection must complete without an event loop; if
    a future Oban.py release awaits real I/O there, this error says so plainly.
    """
