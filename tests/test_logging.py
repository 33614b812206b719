"""Logs are JSON lines carrying the id of the request that wrote them."""

import io
import json
import logging

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_a_request_logs_json_with_its_request_id(client):
    from config.settings import base  # the test settings keep logging quiet; production uses these

    config = base.LOGGING["formatters"]["json"]
    formatter = config["()"](processor=config["processor"], foreign_pre_chain=config["foreign_pre_chain"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("django_structlog")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/healthz")
        client.get("/healthz")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    finished = [line for line in lines if line.get("event") == "request_finished"]
    assert len(finished) == 2 and all(line["level"] == "info" and line["timestamp"] for line in finished)
    assert len({line["request_id"] for line in finished}) == 2  # one id per request
    assert all(line["request"].endswith("/healthz") and line["code"] == 200 for line in finished)


def test_an_upstream_request_id_is_ignored_unless_trusted():
    assert settings.DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID is False
