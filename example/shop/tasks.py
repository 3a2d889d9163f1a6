"""The example shop's tasks."""

from django.tasks import task


@task
def process_order(order_id: int) -> dict[str, int]:
    """Pretend to process an order."""
    return {"order_id": order_id}
