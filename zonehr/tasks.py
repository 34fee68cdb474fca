"""Celery tasks that belong to the project as a whole rather than to one app."""

import socket

from celery import shared_task
from django.db import connection
from django.utils import timezone

from staffing.models import Department


@shared_task
def system_check() -> dict[str, str | int]:
    """Prove that a worker is alive and reaches the same database as the web process.

    A status page queues it and shows the answer; an answer naming the wrong
    database, or no answer at all, is what a misconfigured worker looks like.
    """
    return {
        "database": connection.vendor,
        "departments": Department.objects.count(),
        # Eager runs (no broker) have no worker node name.
        "hostname": system_check.request.hostname or socket.gethostname(),
        "checked_at": timezone.now().isoformat(),
    }
