"""Receivers that record what they saw and then fail."""

import os

from django.dispatch import receiver
from django.tasks.signals import task_finished, task_started

from tests.models import Event


@receiver(task_started)
def on_started(sender, task_result, **kwargs):
    name = task_result.task.name
    if name.endswith("signalled"):
        Event.objects.create(
            name=f"{name}:started", pid=os.getpid(), value=task_result.status
        )
        raise RuntimeError("a broken task_started receiver")


@receiver(task_finished)
def on_finished(sender, task_result, **kwargs):
    name = task_result.task.name
    if name.endswith("signalled"):
        Event.objects.create(
            name=f"{name}:finished",
            pid=os.getpid(),
            value=[task_result.status, task_result.return_value],
        )
        raise RuntimeError("a broken task_finished receiver")
