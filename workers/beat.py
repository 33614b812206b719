"""The beat schedule, in one place."""

from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "dispatch-due-sources": {
        "task": "workers.tasks.dispatch_due_sources",
        # Every 10 s: one indexed query when nothing is due, and a harvest deferred for a busy host is
        # handed out again within seconds (deferrals live in the database, not in held messages).
        "schedule": timedelta(seconds=10),
        "options": {"expires": 9},
    },
    "dispatch-source-requests": {
        "task": "workers.tasks.dispatch_source_requests",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    "dispatch-due-episode-files": {  # transcripts and chapters
        "task": "workers.tasks.dispatch_due_episode_files",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
    "send-weekly-digests": {  # Monday morning; each user at most once a week (DIGEST_PERIOD)
        "task": "workers.tasks.send_weekly_digests",
        "schedule": crontab(day_of_week=1, hour=7, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "send-deadline-reminders": {
        "task": "workers.tasks.send_deadline_reminders",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    "liveness-check-vetted": {
        "task": "workers.tasks.liveness_check_vetted",
        "schedule": crontab(day_of_week=0, hour=4, minute=30),
        "options": {"expires": 24 * 3600},
    },
    "refresh-trending": {
        "task": "workers.tasks.refresh_trending",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "check-source-claims": {
        "task": "workers.tasks.check_source_claims",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 500},
    },
    "prune-fetch-attempts": {
        "task": "workers.tasks.prune_fetch_attempts",
        "schedule": crontab(hour=2, minute=35),
        "options": {"expires": 3600},
    },
    "prune-usage-visits": {
        "task": "workers.tasks.prune_usage_visits",
        "schedule": crontab(hour=2, minute=5),
        "options": {"expires": 3600},
    },
    "dispatch-due-social-sources": {
        "task": "workers.tasks.dispatch_due_social_sources",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 55},
    },
    "dispatch-social-refreshes": {
        "task": "workers.tasks.dispatch_social_refreshes",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 500},
    },
    "check-social-identities": {
        "task": "workers.tasks.check_social_identities",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 250},
    },
    "push-orcid-reviews": {  # does nothing unless ORCID_PUSH_ENABLED
        "task": "workers.tasks.push_orcid_reviews",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 250},
    },
    "publish-social-posts": {  # does nothing unless SOCIAL_PUBLISH_PLATFORMS is set
        "task": "workers.tasks.publish_social_posts",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
    "nightly-social": {
        "task": "workers.tasks.nightly_social",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 6 * 3600},
    },
    "nightly-metrics": {
        "task": "workers.tasks.nightly_metrics",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 6 * 3600},
    },
}
