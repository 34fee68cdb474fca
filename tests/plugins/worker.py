"""Celery worker fixture (see tests/test_celery_worker.py)."""
