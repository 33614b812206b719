"""The research room's part of the beat schedule (its tasks run on the `research` queue)."""

from celery.schedules import crontab

RESEARCH_BEAT_SCHEDULE = {
    "research-nightly": {
        "task": "research.tasks.nightly_research",
        "schedule": crontab(hour=2, minute=45),
        "options": {"expires": 6 * 3600},
    },
    "research-refresh-if-changed": {
        "task": "research.tasks.refresh_if_changed",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 280},
    },
}
