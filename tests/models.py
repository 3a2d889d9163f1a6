"""Tables in which test tasks record what they did."""

from django.db import models


class Execution(models.Model):
    """One execution of a task that must run exactly once per key."""

    key = models.CharField(max_length=100, unique=True)
    pid = models.IntegerField()


class Event(models.Model):
    """Something a task or a signal receiver saw, in order."""

    name = models.CharField(max_length=200)
    pid = models.IntegerField()
    value = models.JSONField(null=True)
    created = models.DateTimeField(auto_now_add=True)
