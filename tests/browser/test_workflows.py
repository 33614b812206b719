"""Experts and editors in a real browser. An expert applies, an editor verifies them, the editor runs a
round, the expert completes the assigned review after correcting a validation error, the editor
publishes and the designation appears on the resource page. Then axe-core on the new pages.
Screenshots go to artifacts/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from curation.models import Designation, ExpertProfile, Review
from curation.services.reviews import review_save_draft, review_submit
from tests.browser.test_accessibility import AXE, axe_violations
from tests.browser.test_learner import shot, sign_in
from tests.conftest import give_authenticator, make_verified_expert, need_service
from tests.curation.test_rounds import scores_for
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_out(page) -> None:
    page.click("nav[aria-label=Main] button:has-text('Sign out')")
    page.wait_for_selector("text=Sign in")


def test_expert_is_verified_reviews_an_assignment_and_the_round_is_published(page):
    editor = UserFactory(username="editor", role="editor", first_name="Eda", last_name="Tor")
    give_authenticator(editor)
    UserFactory(username="sam", first_name="", last_name="")
    colleagues = [
        make_verified_expert(editor, "kim"),
        make_verified_expert(editor, "lee"),
    ]  # the rest of the panel
    resource = ResourceFactory(
        title="Hyperkalaemia in the emergency department",
        text="calcium insulin",
        published_at=timezone.now() - timedelta(days=3),
    )

    # The expert applies; the form asks for the real name first
    sign_in(page, "sam")
    page.click("text=Review for us")
    page.fill("#id_first_name", "Sam")
    page.fill("#id_last_name", "Okafor")
    page.fill("#id_profession", "Emergency physician")
    page.fill("#id_specialty", "Emergency medicine")
    page.fill("#id_registration_body", "General Medical Council")
    page.fill("#id_conflicts_of_interest", "None")
    page.click("button:has-text('Send application')")
    assert "Your application: Pending" in page.inner_text("main")
    shot(page, "expert-apply")
    sign_out(page)

    # The editor verifies them, then creates a round with the minimum panel of three reviewers
    sign_in(page, "editor")
    page.click("nav[aria-label=Main] >> text=Editor")
    page.click("text=1 expert application waiting")
    page.fill("textarea[name=reason]", "Registration checked on the GMC register")
    shot(page, "editor-verification")
    page.click("button:has-text('Verify')")
    assert "Sam Okafor is now a verified expert." in page.inner_text(".messages")
    assert ExpertProfile.objects.get(user__username="sam").verification_status == "approved"
    page.click(".subnav >> text=Curation rounds")
    page.fill("#id_title", "Electrolytes, March")
    page.select_option("#id_instrument_version", label="ALiEM AIR v1")
    today = timezone.now().date()
    page.fill("#id_window_start", str(today - timedelta(days=30)))
    page.fill("#id_window_end", str(today))
    page.fill("#id_deadline", str(today + timedelta(days=14)))
    page.fill("#id_reviewers_per_candidate", "3")
    page.click("button:has-text('Create round')")
    page.check(f"input[name=resource][value='{resource.public_id}']")
    page.click("button:has-text('Add the chosen resources')")
    page.click("button:has-text('Assign reviewers and open the round')")
    assert "The round is open." in page.inner_text(".messages")
    shot(page, "editor-round-open")
    sign_out(page)

    # The expert finds the assignment and submits with one item missing: the error sits by the item
    sign_in(page, "sam")
    page.click("nav[aria-label=Main] >> text=My assignments")
    shot(page, "assignments")
    page.click("text=start review")
    for key, value in {
        "beem": 6,
        "content_accuracy": 7,
        "educational_utility": 6,
        "evidence_based_medicine": 6,
    }.items():
        page.check(f"input[name=item-{key}][value='{value}']")
    page.fill("#conflict_of_interest", "None")
    page.click("button:has-text('Submit review')")
    error = page.locator("#item-referenced .error")
    assert error.inner_text().endswith("Score this item.")
    assert page.locator("#item-referenced").get_attribute("aria-invalid") == "true"
    assert page.locator("input[name=item-beem][value='6']").is_checked()  # nothing typed was lost
    shot(page, "review-form-error")
    page.check("input[name=item-referenced][value='6']")
    page.click("button:has-text('Submit review')")
    assert "Your review was submitted." in page.inner_text(".messages")
    assert Review.objects.get().status == "submitted" and Review.objects.get().total == 31
    sign_out(page)

    # The two colleagues submit theirs; the editor publishes; the designation shows on the resource page
    version = Review.objects.get().instrument_version
    for colleague, total in zip(colleagues, (30, 32), strict=True):
        review = review_save_draft(
            reviewer=colleague,
            resource=resource,
            version=version,
            scores=scores_for(total),
            conflict_of_interest="None",
        )
        review_submit(reviewer=colleague, review=review)
    sign_in(page, "editor")
    page.click("nav[aria-label=Main] >> text=Editor")
    page.click("text=Electrolytes, March")
    page.click("button:has-text('Publish results')")
    assert "designations are live" in page.inner_text(".messages")
    shot(page, "editor-round-published")
    assert Designation.objects.get(resource=resource).label == "Approved"
    page.goto(f"/resources/{resource.public_id}/")
    assert "Approved" in page.inner_text(".designations") and "3 reviews" in page.inner_text(".designations")
    shot(page, "resource-designated")
    assert [p for p in page.problems if "Content Security Policy" in p] == []


def test_review_draft_autosaves_without_a_click(page):
    from curation.models import InstrumentVersion

    editor = UserFactory(username="editor", role="editor")
    expert = UserFactory(username="rae", role="expert")
    ExpertProfile.objects.create(
        user=expert,
        profession="Nurse",
        specialty="ED",
        applied_at=timezone.now(),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    )
    resource = ResourceFactory(title="Croup")
    sign_in(page, "rae")
    page.goto(f"/resources/{resource.public_id}/review/rmetriq/")
    page.check("input[name=item-background][value='2']")
    page.wait_for_selector("text=Draft saved automatically", timeout=10_000)
    version = InstrumentVersion.objects.get(instrument__slug="rmetriq")
    assert Review.objects.get(instrument_version=version).scores == {"background": 2}


def test_instant_search_updates_results_as_the_user_types(page):
    ResourceFactory(title="Digoxin toxicity", text="digoxin")
    ResourceFactory(title="Paediatric croup", text="dexamethasone")
    page.goto("/search/")
    from playwright.sync_api import expect

    expect(page.locator(".resource-card")).to_have_count(2)
    page.fill("#q", "digoxin")  # no submit: the results follow the typing
    expect(page.locator(".resource-card")).to_have_count(1)
    assert "Digoxin toxicity" in page.inner_text("#results")
    expect(page).to_have_url(re.compile(r"/search/\?q=digoxin$"))
    page.fill("#q", "croup")
    expect(page.locator("#results .resource-card")).to_have_text(re.compile("Paediatric croup"))
    shot(page, "instant-search")
    assert [p for p in page.problems if "Content Security Policy" in p] == []


def test_workbench_pages_have_no_serious_or_critical_accessibility_violations(page):
    need_service(AXE.is_file(), "axe-core is not installed (cd frontend && npm ci)")
    give_authenticator(UserFactory(username="editor", role="editor"))
    editor = UserFactory(username="editor")
    ExpertProfile.objects.create(
        user=editor,
        profession="Physician",
        specialty="EM",
        applied_at=timezone.now(),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    )
    ExpertProfile.objects.create(
        user=UserFactory(username="applicant"), profession="Nurse", specialty="ED", applied_at=timezone.now()
    )
    resource = ResourceFactory(title="Sepsis")
    sign_in(page, "editor")
    found = {}
    for path in [
        "/editor/",
        "/editor/experts/",
        "/editor/rounds/",
        "/editor/moderation/",
        "/editor/harvest/",
        "/reviews/assignments/",
        f"/resources/{resource.public_id}/review/air/",
        "/research/",
        "/experts/apply/",
    ]:
        page.goto(path)
        if violations := axe_violations(page):
            found[path] = violations
        if path in ("/editor/harvest/", "/research/"):
            shot(page, path.strip("/").replace("/", "-"))
    page.goto(f"/resources/{resource.public_id}/review/air/")
    page.click("button:has-text('Submit review')")  # the page with validation errors
    if violations := axe_violations(page):
        found["review form with errors"] = violations
    assert found == {}


def test_pages_fit_a_phone_screen_without_sideways_scrolling(browser, live_server):
    editor = UserFactory(username="editor", role="editor")
    give_authenticator(editor)
    ExpertProfile.objects.create(
        user=editor,
        profession="Physician",
        specialty="EM",
        applied_at=timezone.now(),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    )
    resource = ResourceFactory(title="A resource with a rather long title about paediatric sepsis and fluids")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    phone = context.new_page()
    try:
        sign_in(phone, "editor")
        phone.goto("/")  # the header is one line: the navigation folds behind a Menu button
        assert phone.locator(".site-header").bounding_box()["height"] < 80
        sources = phone.locator("#main-menu a", has_text="Sources")
        assert not sources.is_visible()
        phone.get_by_role("button", name="Menu").click()
        assert sources.is_visible()
        assert phone.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
        phone.keyboard.press("Escape")
        assert not sources.is_visible()
        overflowing = []
        for path in [
            "/",
            "/search/?q=sepsis",
            f"/resources/{resource.public_id}/",
            "/library/",
            f"/resources/{resource.public_id}/review/air/",
            "/editor/",
            "/editor/harvest/",
            "/research/",
        ]:
            phone.goto(path)
            if not phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"):
                overflowing.append(path)
            if path == "/":
                shot(phone, "phone-home")
        shot(phone, "phone-research")
        assert overflowing == []
    finally:
        context.close()
