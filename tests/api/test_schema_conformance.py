"""schemathesis generates requests for every operation of the generated OpenAPI schema, anonymously,
with a read-write API key of a verified expert and with an OAuth token: no response may be a 5xx or
violate the schema.

(Its pytest plugin does not load under pytest 9, so its strategies are driven with Hypothesis here.)"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from curation.models import ApiKeyScope
from curation.services.apikeys import api_key_issue
from curation.services.metrics import metrics_refresh_resource
from tests.factories import ResourceFactory

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = settings(
    max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)


@pytest.fixture
def api_schema(db):  # type: ignore[no-untyped-def]
    from config.wsgi import application

    for resource in ResourceFactory.create_batch(3):
        metrics_refresh_resource(resource_id=resource.pk)
    # Raw WSGI calls would close the test's database connection at each request's end; Django's
    # own test client avoids that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["anonymous", "api_key_read_write", "oauth"])
def test_every_operation_conforms_to_the_schema(api_schema, expert, persona):
    headers = {}
    if persona == "oauth":
        from tests.api.conftest import oauth_access_token

        headers = {"Authorization": f"Bearer {oauth_access_token(expert)}"}
        # Django's test client (used for the OAuth flow) reconnects these on its way out.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
    elif persona != "anonymous":
        _, raw = api_key_issue(
            owner=expert, name="schemathesis", scope=ApiKeyScope.READ_WRITE, requests_per_hour=100_000
        )
        headers = {"X-API-Key": raw}
    failures: list[str] = []
    calls = [0]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy())
        def check(case):  # type: ignore[no-untyped-def]
            calls[0] += 1
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {str(error)[:800]}")
    assert failures == [], "\n\n".join(failures)
    assert calls[0] >= 3 * len(operations)  # every operation really received generated requests
