"""Taking a module on a phone in a real browser: the quiz, a failed attempt with its feedback, a retake
that passes, the certificate and its public verification; joining a cohort after reading the notice;
and axe on every learning-credit page (no serious or critical violations)."""

import pytest

from curation.models import CpdRecord, ModuleAttempt
from curation.services.credit import cohort_create, director_grant
from tests.browser.test_accessibility import AXE, axe_violations
from tests.browser.test_learner import shot, sign_in
from tests.conftest import give_authenticator, need_service
from tests.credit import published_module
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _answer(phone, option: str) -> None:
    """Choose `option` (the option text) in every question."""
    questions = phone.locator("fieldset.question")
    questions.first.wait_for()
    for question in questions.all():
        question.locator("label.option", has_text=option).tap()
        assert question.locator("label.option", has_text=option).locator("input").is_checked()


def test_a_learner_takes_a_module_on_a_phone_fails_retakes_and_passes(browser, live_server):  # type: ignore[no-untyped-def]
    need_service(AXE.is_file(), "axe-core is not installed (cd frontend && npm ci)")
    editor = UserFactory(username="ed", role="editor", is_staff=True)
    give_authenticator(editor)
    UserFactory(username="maya", first_name="Maya", last_name="Resident")
    module = published_module(editor, title="Sepsis month")
    director = UserFactory(username="pd")
    director_grant(editor=editor, user=director, program="City EM")
    cohort = cohort_create(director=director, name="PGY-1")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    problems: list[str] = []
    phone.on("pageerror", lambda error: problems.append(str(error)))
    phone.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    found = {}

    def check(name: str) -> None:
        if violations := axe_violations(phone):
            found[name] = violations
        overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px"

    try:
        phone.goto("/modules/")
        check("modules, anonymous")
        sign_in(phone, "maya")
        phone.goto("/modules/")
        check("modules")
        phone.tap("text=Sepsis month")
        phone.wait_for_selector("h1:has-text('Sepsis month')")
        assert phone.locator("fieldset.question").count() == 6
        check("module with its quiz")
        shot(phone, "phone-module-390")
        _answer(phone, "Naloxone")  # every answer wrong
        phone.tap("button:has-text('Submit answers')")
        phone.wait_for_selector("h1:has-text('Not passed yet')")
        assert phone.locator("text=SECRET-EXPLANATION").count() == 6  # the feedback comes after submission
        check("failed attempt")
        phone.tap("a:has-text('Try again')")
        phone.wait_for_selector("#reflection")
        _answer(phone, "Fomepizole")
        phone.fill("#reflection", "I will give fomepizole earlier.")
        phone.tap("button:has-text('Submit answers')")
        phone.wait_for_selector("h1:has-text('Passed: 100 %')")
        check("passed attempt")
        shot(phone, "phone-module-passed-390")
        assert ModuleAttempt.objects.count() == 2 and CpdRecord.objects.count() == 1
        assert phone.locator("a:has-text('Download the certificate (PDF)')").count() == 1
        phone.tap("a:has-text('Verification page')")
        phone.wait_for_selector("h1:has-text('Valid credential')")
        assert phone.locator("text=Maya Resident").count() >= 1
        check("verification page")
        phone.goto("/me/cpd/")
        assert phone.locator("td:has-text('Sepsis month')").count() == 1
        assert phone.locator("button[data-print]").is_visible()  # bound by print.js, no inline handler
        check("CPD log")

        phone.goto("/programs/")
        check("programs")
        phone.fill("#join-code", cohort.invitation_code)
        phone.tap("button:has-text('Continue')")
        phone.wait_for_selector("h2:has-text('What the director will see')")
        check("join notice")
        phone.locator("input[name=accept]").check()
        phone.tap("button:has-text('Join the cohort')")
        phone.wait_for_selector("text=You joined PGY-1")
        assert cohort.memberships.filter(learner__username="maya").exists()

        context.clear_cookies()
        sign_in(phone, "pd")
        phone.goto(f"/programs/{cohort.public_id}/")
        phone.wait_for_selector("h1:has-text('PGY-1')")
        assert phone.locator("td:has-text('Maya Resident')").count() == 1
        check("director's dashboard")
        context.clear_cookies()
        sign_in(phone, "ed")
        phone.goto(f"/editor/modules/{module.public_id}/")
        phone.wait_for_selector("h1:has-text('Sepsis month')")
        check("module builder")
        phone.goto("/editor/modules/")
        check("editors' modules")
    finally:
        context.close()
    assert problems == []
    assert found == {}
