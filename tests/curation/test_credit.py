"""Learning-credit rules in the domain: versions keep what was taken, a pass is recorded once, hours are
estimated and labelled, reflections are screened, modules hold designated resources only, and
certificates draw any name."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from curation import certificates
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import CpdRecord, Credential, ModuleAttempt
from curation.services.credit import (
    attempt_submit,
    estimate_hours,
    module_create,
    module_item_add,
    module_publish,
    question_add,
)
from tests.credit import all_answers, designated, published_module
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_a_completed_module_keeps_the_version_taken_when_the_editor_publishes_another(editor, learner):  # type: ignore[no-untyped-def]
    module = published_module(editor)
    first = module.versions.get()
    attempt = attempt_submit(learner=learner, version=first, answers=all_answers(module, right=6))
    question = module.questions.first()
    question.stem = "A rewritten question?"
    question.save()
    second = module_publish(editor=editor, module=module)
    assert second.version == 2 and first.content["questions"][0]["stem"] != "A rewritten question?"
    attempt.refresh_from_db()
    assert attempt.module_version == first and attempt.cpd_record.module_version == first
    with pytest.raises(Conflict):  # the old version is no longer offered
        attempt_submit(learner=learner, version=first, answers={})
    attempt_submit(learner=learner, version=second, answers=all_answers(module, right=6))
    assert CpdRecord.objects.count() == 2  # a new version is a new module to pass


def test_a_pass_is_recorded_once_and_failures_earn_nothing(editor, learner):  # type: ignore[no-untyped-def]
    module = published_module(editor)
    version = module.versions.get()
    attempt_submit(learner=learner, version=version, answers=all_answers(module, right=4))  # 66.7 % < 80 %
    assert not CpdRecord.objects.exists()
    attempt_submit(learner=learner, version=version, answers=all_answers(module, right=5))  # 83.3 %
    attempt_submit(learner=learner, version=version, answers=all_answers(module, right=6))
    assert ModuleAttempt.objects.count() == 3
    assert CpdRecord.objects.get().score == pytest.approx(83.333, abs=0.01)
    assert Credential.objects.count() == 1


def test_hours_are_estimated_from_durations_and_reading_time_and_said_so(editor):  # type: ignore[no-untyped-def]
    assert estimate_hours(minutes=[30, 20], question_count=4) == Decimal("1.00")  # 56 min -> 4 quarters
    assert estimate_hours(minutes=[1], question_count=0) == Decimal("0.25")
    module = module_create(editor=editor, title="Audio month", month=date(2026, 10, 9))
    episode = designated("An episode", duration_seconds=45 * 60)
    post = designated("A post", text="word " * 2000)  # 10 minutes of reading
    for resource in (episode, post):
        module_item_add(editor=editor, module=module, resource=resource)
    question_add(editor=editor, module=module, resource=post, stem="Q?", options=["a", "b"], correct=0)
    version = module_publish(editor=editor, module=module)
    assert version.hours_estimated and version.hours == Decimal("1.00")  # 45 + 10 + 1.5 min
    assert [r["minutes"] for r in version.content["resources"]] == [45, 10]
    assert module.month == date(2026, 10, 1)


def test_modules_hold_designated_resources_and_well_formed_questions(editor, learner):  # type: ignore[no-untyped-def]
    module = module_create(editor=editor, title="T", month=date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        module_item_add(editor=editor, module=module, resource=ResourceFactory())
    resource = designated("Vetted")
    module_item_add(editor=editor, module=module, resource=resource)
    assert module_item_add(editor=editor, module=module, resource=resource).position == 1  # never twice
    for options, correct in ((["only one"], 0), (["a", "a"], 0), (["a", "b"], 2)):
        with pytest.raises(InvalidInput):
            question_add(
                editor=editor, module=module, resource=resource, stem="Q", options=options, correct=correct
            )
    with pytest.raises(InvalidInput):
        module_publish(editor=editor, module=module)  # no question yet
    with pytest.raises(NotAllowed):
        module_create(editor=learner, title="Mine", month=date(2026, 1, 1))
    for hours in (Decimal("NaN"), Decimal("Infinity"), Decimal("0"), Decimal("1000")):
        with pytest.raises(InvalidInput):
            module_create(editor=editor, title="T", month=date(2026, 1, 1), hours=hours)


def test_a_reflection_that_could_identify_a_patient_is_refused(editor, learner):  # type: ignore[no-untyped-def]
    module = published_module(editor)
    with pytest.raises(InvalidInput):
        attempt_submit(
            learner=learner,
            version=module.versions.get(),
            answers=all_answers(module, right=6),
            reflection="Mr John Smith, MRN 12345678, DOB 01/02/1950, came in with an overdose.",
        )
    assert not ModuleAttempt.objects.exists()


def test_certificates_draw_any_name_with_or_without_a_unicode_font(editor, learner, monkeypatch, settings):  # type: ignore[no-untyped-def]
    learner.first_name, learner.last_name = "Zoë", "Nguyễn 山田"
    learner.save()
    module = published_module(editor, title="Paediatrics “month”")
    attempt = attempt_submit(
        learner=learner, version=module.versions.get(), answers=all_answers(module, right=6)
    )
    credential = attempt.cpd_record.credential
    settings.CERTIFICATE_FONT = ""
    monkeypatch.setattr(certificates, "FONT_CANDIDATES", ())  # the PDF core font: names folded to Latin-1
    text = " ".join(
        p.extract_text() for p in PdfReader(BytesIO(certificates.certificate_pdf(credential))).pages
    )
    assert "Zoë Nguyen" in text and credential.code in text and 'Paediatrics "month"' in text


def test_a_retired_module_keeps_its_page_and_passes_but_takes_no_attempt(client, editor, learner):  # type: ignore[no-untyped-def]
    from curation.services.credit import module_retire

    module = published_module(editor)
    attempt = attempt_submit(
        learner=learner, version=module.versions.get(), answers=all_answers(module, right=6)
    )
    module_retire(editor=editor, module=module)
    assert client.get("/modules/").content.decode().count(module.title) == 0  # no longer listed
    page = client.get(f"/modules/{module.public_id}/").content.decode()
    assert "retired" in page and 'name="reflection"' not in page
    with pytest.raises(Conflict):
        attempt_submit(learner=learner, version=module.versions.get(), answers={})
    code = attempt.cpd_record.credential.code
    assert "Valid credential" in client.get(f"/credentials/{code}/").content.decode()
