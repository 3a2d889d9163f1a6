"""The example shop's tasks.

Each one is an ordinary Django ``@task``. With ``ObanTaskBackend`` configured,
the decorator builds an ``ObanTask``, so Oban's options (``max_attempts``,
``backoff``, ``tags``...) can be given next to Django's own.
"""

import asyncio
import time
from datetime import timedelta

from django.utils import timezone
from oban import Cancel, Snooze

from django_tasks_oban.tasks import task

from .models import Order


@task
def process_order(order_id: int) -> dict[str, int]:
    """Pretend to process an order."""
    return {"order_id": order_id}


@task(priority=10, tags=["orders"])
def ship_order(order_id: int) -> dict[str, object]:
    """A sync task: it runs in a worker thread, so the ORM and blocking calls are OK."""
    time.sleep(1)  # Talking to the carrier...
    Order.objects.filter(pk=order_id).update(status="shipped")
    return {"order_id": order_id, "status": "shipped"}


@task(queue_name="mail")
async def send_receipt(order_id: int, email: str) -> str:
    """An async task: it runs on the worker's event loop and uses the async ORM."""
    await asyncio.sleep(1)  # Talking to the mail server...
    order = await Order.objects.aget(pk=order_id)
    return f"Receipt for order #{order.pk} sent to {email}"


@task(takes_context=True, max_attempts=3, backoff=1)
def charge_card(context, order_id: int) -> dict[str, object]:
    """Fails on its first attempt, as a flaky payment gateway would, then succeeds."""
    time.sleep(0.5)
    if context.attempt == 1:
        raise ConnectionError("payment gateway timed out")
    return {"order_id": order_id, "charged": True, "attempt": context.attempt}


@task(max_attempts=2, backoff=1)
def sync_inventory(sku: str) -> None:
    """Always fails: retried once after a second, then given up (FAILED)."""
    time.sleep(0.5)
    raise LookupError(f"unknown SKU {sku!r}")


@task(queue_name="mail")
def send_reminder(order_id: int) -> str:
    """Enqueued with ``.using(run_after=timedelta(...))``: it waits its turn."""
    return f"Reminder for order #{order_id} sent"


@task
def export_orders(seconds: float = 10) -> int:
    """A long task, such as an export, for the rescue example in docs/worker.md."""
    time.sleep(seconds)
    return Order.objects.count()


@task
def cleanup() -> int:
    """A periodic task for ``OPTIONS["CRON"]``: it takes no arguments."""
    return Order.objects.filter(status="cancelled").delete()[0]


@task(queue_name="heavy_reports")
def report() -> dict[str, int]:
    """Another periodic task: yesterday's orders, for a daily CRON entry."""
    yesterday = timezone.now().date() - timedelta(days=1)
    return {"orders": Order.objects.filter(created_at__date=yesterday).count()}


# The tasks below illustrate the documentation (docs/tasks.md, docs/worker.md).


@task(queue_name="heavy_reports", max_attempts=5, backoff=lambda attempt: 2**attempt)
def monthly_report(year: int, month: int) -> dict[str, int]:
    """Oban options on a task: its queue, its attempts and a backoff function."""
    orders = Order.objects.filter(created_at__year=year, created_at__month=month)
    return {"year": year, "month": month, "orders": orders.count()}


@task(timeout=2, max_attempts=1)
async def fetch_exchange_rates() -> str:
    """An async task with a timeout: cancelled at its next ``await`` after 2 s."""
    await asyncio.sleep(5)
    return "rates"


@task
def wait_for_stock(sku: str, available_at: str) -> Snooze | str:
    """Returns Oban's ``Snooze``: try again later, without spending an attempt."""
    if timezone.now().isoformat() < available_at:
        return Snooze(1)
    return f"{sku} is in stock"


@task
def refund_order(order_id: int) -> Cancel | str:
    """Returns Oban's ``Cancel``: stop for good, without retrying."""
    order = Order.objects.get(pk=order_id)
    if order.status != "paid":
        return Cancel(f"order #{order_id} was never paid")
    order.status = "refunded"
    order.save(update_fields=["status"])
    return f"refunded order #{order_id}"
