from typing import Any

from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Harvesting workers"

    def ready(self) -> None:
        from curation.deferred import work_deferred

        work_deferred.connect(queue_deferred_work, dispatch_uid="workers.queue_deferred_work")


def queue_deferred_work(sender: str, payload: dict[str, Any], **_: Any) -> bool:
    """Take side work the domain deferred (e-mail, metric refreshes) onto the default queue. A broker
    that refuses raises, and curation.deferred then runs the work in-process instead."""
    from workers.tasks import run_deferred

    run_deferred.apply_async(args=(sender, payload), retry=False)
    return True
