"""Two views: place an order (and its jobs) in one transaction; read a task's result."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist

from .models import Order
from .tasks import process_order, send_receipt


@transaction.atomic
def place_order(request: HttpRequest) -> JsonResponse:
    order = Order.objects.create(email=request.POST["email"])
    processing = process_order.enqueue(order_id=order.pk)
    receipt = send_receipt.enqueue(order.pk, order.email)
    # An exception before this point rolls back the order and both jobs.
    return JsonResponse({"order": order.pk, "tasks": [processing.id, receipt.id]})


def task_status(request: HttpRequest, result_id: str) -> JsonResponse:
    try:
        result = default_task_backend.get_result(result_id)
    except TaskResultDoesNotExist:
        return JsonResponse({"error": "no such task"}, status=404)
    successful = result.status == TaskResultStatus.SUCCESSFUL
    return JsonResponse(
        {
            "task": result.task.module_path,
            "status": result.status,
            "attempts": result.attempts,
            "return_value": result.return_value if successful else None,
            "errors": [error.exception_class_path for error in result.errors],
        }
    )
