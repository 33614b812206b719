"""The Celery application. Configuration comes from Django settings (prefix CELERY_); the beat
schedule lives in workers/beat.py."""

import os

from celery import Celery

from research.beat import RESEARCH_BEAT_SCHEDULE
from workers.beat import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("foam_curator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {**BEAT_SCHEDULE, **RESEARCH_BEAT_SCHEDULE}
app.autodiscover_tasks(["workers", "research"])
