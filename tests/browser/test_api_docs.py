"""The API docs UI renders in headless Chromium under the site's Content-Security-Policy, with no CDN."""

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_docs_ui_renders_under_csp_without_any_outside_request(page, live_server):
    outside: list[str] = []
    page.on(
        "request",
        lambda request: outside.append(request.url) if not request.url.startswith(live_server.url) else None,
    )
    response = page.goto("/api/docs/")
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "FOAM Curator API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path", timeout=20000)
    assert page.locator(".opblock-summary-path").count() >= 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
    assert outside == []
    assert [p for p in page.problems if "Content Security Policy" in p or "Refused" in p] == []
