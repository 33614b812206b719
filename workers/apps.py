from typing import Any

from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Harvesting workers"

    def ready(self) -> None:
        from curation.deferred import work_deferred

        work_deferred.connect(queue_deferred_work, dispatch_uid="workers.queue_deferred_work")

        from celery.signals import task_postrun, worker_process_shutdown, worker_shutdown

        from workers.attempts import flush_later, flush_now

        task_postrun.connect(flush_later, dispatch_uid="workers.attempts.flush_later", weak=False)
        worker_process_shutdown.connect(flush_now, dispatch_uid="workers.attempts.flush_process", weak=False)
        worker_shutdown.connect(flush_now, dispatch_uid="workers.attempts.flush_worker", weak=False)


def queue_deferred_work(sender: str, payload: dict[str, Any], **_: Any) -> bool:
    """Take side work the domain deferred (e-mail, metric refreshes) onto the default queue. A broker
    that refuses raises, and curation.deferred then runs the work in-process instead."""
    from workers.tasks import run_deferred

    run_deferred.apply_async(args=(sender, payload), retry=False)
    return True
