"""Liveness and readiness endpoints for orchestrators."""

import pytest

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_touching_services(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_readiness_checks_database_cache_and_broker(client):
    response = client.get("/readyz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert set(response.json().values()) == {"OK"} and len(response.json()) == 3


def test_readiness_fails_when_the_broker_is_unreachable(client, settings):
    from config.celery import app

    names = ("broker_url", "broker_write_url")
    previous = {name: app.conf[name] for name in names}
    app.conf.update(dict.fromkeys(names, "redis://127.0.0.1:1/0"))  # nothing listens on port 1
    try:
        response = client.get("/readyz", HTTP_ACCEPT="application/json")
    finally:
        app.conf.update(previous)
    assert response.status_code == 500 and "unreachable" in " ".join(response.json().values())
