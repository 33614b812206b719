"""Liveness and readiness for orchestrators (docker compose, Kubernetes): `/healthz` answers as long as
the process serves requests; `/readyz` (django-health-check) also checks the database, the cache and
the Celery broker, and answers 500 when one of them is unreachable."""

import dataclasses
import datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis in production, the filesystem broker embedded)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from config.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
                # Some transports connect lazily (Redis): ask the server itself.
                client = getattr(connection.default_channel, "client", None)
                if client is not None and hasattr(client, "ping"):
                    client.ping()
        except Exception as error:  # any transport failure means "not ready"; details stay in the log
            raise ServiceUnavailable("The task broker is unreachable.") from error


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


readyz = HealthCheckView.as_view(
    checks=["health_check.checks.Database", "health_check.checks.Cache", "config.health.Broker"]
)
