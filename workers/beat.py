"""The beat schedule, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "dispatch-due-sources": {
        "task": "workers.tasks.dispatch_due_sources",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    "send-deadline-reminders": {
        "task": "workers.tasks.send_deadline_reminders",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    "nightly-metrics": {
        "task": "workers.tasks.nightly_metrics",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 6 * 3600},
    },
}
