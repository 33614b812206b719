"""Project wiring: settings, URLs, the Celery app, WSGI/ASGI and the local launcher."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
