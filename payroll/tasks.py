"""Payroll jobs on Celery: one task per chunk of departments, one for a close. Thin: the work is
in payroll.calculation. acks_late and reject_on_worker_lost (settings) hand a task whose worker
died to the next worker; calculation.calculate_chunk recognises a chunk already written."""

from celery import shared_task

from payroll import calculation


@shared_task
def calculate_chunk(job_id: int, department_ids: list[int]) -> None:
    calculation.calculate_chunk(job_id=job_id, department_ids=department_ids)


@shared_task
def close_period(job_id: int) -> None:
    calculation.close(job_id=job_id)
