"""API v1 foundation: root, resource/source/topic reads, problem-details errors, pinned query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curation.enums import ResourceStatus
from tests.factories import ResourceFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_root_lists_the_endpoints(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert {"resources", "sources", "topics", "schema", "docs"} <= set(response.json()["links"])


def test_resource_list_shows_visible_resources_by_public_id(client):
    visible = ResourceFactory(title="Visible")
    ResourceFactory(title="Held", status=ResourceStatus.HELD)
    body = client.get("/api/v1/resources/").json()
    assert [item["title"] for item in body["results"]] == ["Visible"]
    assert body["results"][0]["id"] == str(visible.public_id)
    assert "identity_key" not in body["results"][0] and "text" not in body["results"][0]


def test_resource_detail_by_public_id_and_held_resource_is_not_found(client):
    visible = ResourceFactory()
    held = ResourceFactory(status=ResourceStatus.HELD)
    assert client.get(f"/api/v1/resources/{visible.public_id}/").status_code == 200
    response = client.get(f"/api/v1/resources/{held.public_id}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json" and response.json()["status"] == 404


def test_unknown_api_path_answers_problem_details(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


def test_write_method_on_read_endpoint_is_refused_with_problem_details(client, learner):
    client.force_login(learner)
    response = client.post("/api/v1/resources/", {}, content_type="application/json")
    assert response.status_code == 405 and response.json()["status"] == 405


def test_page_size_is_bounded(client):
    ResourceFactory.create_batch(3)
    body = client.get("/api/v1/resources/?page_size=100000").json()
    assert len(body["results"]) == 3
    from api.pagination import DefaultCursorPagination

    assert DefaultCursorPagination.max_page_size == 100


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/resources/", lambda n: ResourceFactory.create_batch(n, topics=[TopicFactory()])),
        ("/api/v1/sources/", lambda n: [SourceFactory(topics=[TopicFactory()]) for _ in range(n)]),
        ("/api/v1/topics/", lambda n: TopicFactory.create_batch(n)),
    ],
)
def test_list_query_count_does_not_grow_with_page_size(client, url, make):
    make(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    make(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small) <= 4


def test_openapi_schema_is_generated(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and b"openapi" in response.content


def test_docs_ui_uses_no_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/" in html
