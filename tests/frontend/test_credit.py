"""Issue 15's scenario through the pages: an editor builds a module of 3 designated resources and 6
questions, a learner fails once and passes, the certificate and its verification, the Open Badge, the
program director's dashboard, and who sees nothing."""

import csv
import io

import pytest
from pypdf import PdfReader

from curation.models import CohortMembership, CpdRecord, Credential, Module, ModuleAttempt
from tests.credit import all_answers, designated, published_module
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OB3_REQUIRED = ("@context", "id", "type", "issuer", "validFrom", "credentialSubject", "name")


def _build_module_on_the_web(client, editor):  # type: ignore[no-untyped-def]
    client.force_login(editor)
    response = client.post(
        "/editor/modules/",
        {
            "title": "Toxicology month",
            "month": "2026-11",
            "objectives": "Recognise toxidromes\nDose antidotes",
            "pass_mark": "80",
            "hours": "2.5",
        },
    )
    module = Module.objects.get(title="Toxicology month")
    assert response.status_code == 302 and response["Location"] == f"/editor/modules/{module.public_id}/"
    resources = [designated(f"Antidote post {n}") for n in range(3)]
    for resource in resources:
        client.post(
            response["Location"],
            {"action": "add-resource", "resource": f"http://testserver/resources/{resource.public_id}/"},
        )
        for q in range(2):
            client.post(
                response["Location"],
                {
                    "action": "add-question",
                    "resource": str(resource.public_id),
                    "stem": f"{resource.title}: question {q}?",
                    "options": "Wrong answer\nRight answer\nAnother wrong one",
                    "correct": "2",
                    "explanation": "Because the post says so.",
                    "reference": "Smith 2020",
                },
            )
    page = client.get(response["Location"]).content.decode()
    assert "3 resources, 6 questions" in page
    publish = client.post(response["Location"], {"action": "publish"}, follow=True)
    assert "Published version 1" in publish.content.decode()
    client.logout()
    return module


def _submit(client, module, right):  # type: ignore[no-untyped-def]
    questions = module.versions.get().content["questions"]
    data = {f"q-{q['id']}": "1" if index < right else "0" for index, q in enumerate(questions)}
    data["reflection"] = "I will check the osmolar gap earlier."
    return client.post(f"/modules/{module.public_id}/", data)


def test_a_learner_fails_then_passes_gets_a_verifiable_certificate_and_the_director_sees_it(
    client, editor, learner, outsider
):  # type: ignore[no-untyped-def]
    module = _build_module_on_the_web(client, editor)
    director = UserFactory(username="pd", first_name="Pat", last_name="Director")
    client.force_login(editor)
    client.post("/editor/directors/", {"username": "pd", "program": "City EM Residency", "action": "grant"})
    client.force_login(director)
    response = client.post("/programs/", {"name": "PGY-1"})
    cohort = director.cohorts.get()
    assert response["Location"] == f"/programs/{cohort.public_id}/"

    learner.first_name, learner.last_name = "Maya", "Resident"
    learner.save()
    client.force_login(learner)
    notice = client.get(f"/programs/join/?code={cohort.invitation_code.lower()}").content.decode()
    assert "What the director will see" in notice
    refused = client.post("/programs/join/", {"code": cohort.invitation_code}, follow=True)
    assert "accept" in refused.content.decode() and not CohortMembership.objects.exists()
    client.post("/programs/join/", {"code": cohort.invitation_code, "accept": "yes"})
    assert CohortMembership.objects.filter(cohort=cohort, learner=learner).exists()

    failed = _submit(client, module, right=3)
    attempt = ModuleAttempt.objects.get()
    assert failed["Location"] == f"/modules/attempts/{attempt.public_id}/"
    page = client.get(failed["Location"]).content.decode()
    assert "Not passed yet: 50 %" in page and "Because the post says so." in page
    assert not CpdRecord.objects.exists()
    passed = client.get(_submit(client, module, right=6)["Location"]).content.decode()
    assert "Passed: 100 %" in passed
    assert ModuleAttempt.objects.count() == 2  # every attempt is kept
    credential = Credential.objects.get()
    record = CpdRecord.objects.get()
    assert record.hours == 2.5 and not record.hours_estimated

    pdf = client.get(f"/credentials/{credential.code}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    for expected in (
        "Maya Resident",
        "Toxicology month",
        record.completed_at.date().isoformat(),
        "2.50 hours",
        credential.code,
    ):
        assert expected in text

    client.logout()  # the public verification URL, for anyone with the code
    verify_response = client.get(f"/credentials/{credential.code}/")
    assert verify_response["X-Robots-Tag"].startswith("noindex")  # it names a person
    assert "Disallow: /credentials/" in client.get("/robots.txt").content.decode()
    verify = verify_response.content.decode()
    assert "Valid credential" in verify and "Maya Resident" in verify and "Toxicology month" in verify
    assert (
        client.get(f"/credentials/?code={credential.code.lower()}")["Location"]
        == f"/credentials/{credential.code}/"
    )
    assert client.get("/credentials/NOTACODE42/").status_code == 404
    badge = client.get(f"/credentials/{credential.code}/badge.json").json()
    for field in OB3_REQUIRED:
        assert field in badge
    assert badge["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert badge["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(badge["type"])
    assert badge["id"].endswith(f"/credentials/{credential.code}/badge.json")
    assert "Profile" in badge["issuer"]["type"] and badge["issuer"]["id"]
    subject = badge["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    achievement = subject["achievement"]
    assert "Achievement" in achievement["type"] and achievement["id"] and achievement["name"]
    assert achievement["description"] and achievement["criteria"]["narrative"]

    client.force_login(director)
    dashboard = client.get(f"/programs/{cohort.public_id}/").content.decode()
    assert "Maya Resident" in dashboard and "Toxicology month" in dashboard and "100 %" in dashboard
    rows = list(
        csv.reader(io.StringIO(client.get(f"/programs/{cohort.public_id}/report.csv").content.decode()))
    )
    assert rows[1][0] == "Maya Resident" and rows[1][4] == "Toxicology month" and rows[1][7] == "2.50"
    assert "osmolar" not in dashboard  # never the reflection

    for who in (outsider, None):  # a learner outside the cohort, and an anonymous visitor, see nothing
        client.logout()
        if who is not None:
            client.force_login(who)
        for url in (
            f"/programs/{cohort.public_id}/",
            f"/programs/{cohort.public_id}/report.csv",
            f"/modules/attempts/{attempt.public_id}/",
        ):
            response = client.get(url)
            assert response.status_code in (302, 404), url
            assert b"Maya" not in response.content
        if who is not None:
            assert b"Maya" not in client.get("/me/cpd/").content

    client.force_login(director)  # the director removes the resident, who joins again
    client.post(f"/programs/{cohort.public_id}/remove/", {"resident": str(learner.public_id)})
    assert not CohortMembership.objects.exists()
    assert client.post(f"/programs/{cohort.public_id}/remove/", {"resident": "nope"}).status_code == 404
    client.force_login(learner)
    client.post("/programs/join/", {"code": cohort.invitation_code, "accept": "yes"})
    assert CohortMembership.objects.count() == 1
    client.force_login(learner)  # leaving: the director sees nothing more
    client.post(f"/programs/{cohort.public_id}/leave/")
    client.force_login(director)
    assert "Maya" not in client.get(f"/programs/{cohort.public_id}/").content.decode()


def test_the_builder_answers_bad_input_with_a_message_never_a_500(client, editor):  # type: ignore[no-untyped-def]
    client.force_login(editor)
    for bad in (
        {"title": "", "month": "2026-11"},
        {"title": "T", "month": "November"},
        {"title": "T", "month": "2026-13"},
        {"title": "T", "month": "99999-01"},
        {"title": "T", "month": "2026-11", "pass_mark": "1e9"},
        {"title": "T", "month": "2026-11", "pass_mark": "0"},
        {"title": "T", "month": "2026-11", "pass_mark": "²"},
        {"title": "T", "month": "2026-11", "pass_mark": "٨٠"},
        {"title": "T", "month": "2026-11", "hours": "NaN"},
        {"title": "T", "month": "2026-11", "hours": "lots"},
        {"title": "x" * 500, "month": "2026-11"},
    ):
        response = client.post("/editor/modules/", bad, follow=True)
        assert response.status_code == 200 and b'class="error"' in response.content, bad
    assert not Module.objects.exists()
    client.post("/editor/modules/", {"title": "Ordered", "month": "2026-11"})
    module = Module.objects.get()
    url = f"/editor/modules/{module.public_id}/"
    first, second = designated("First post"), designated("Second post")
    for resource in (first, second):
        client.post(url, {"action": "add-resource", "resource": str(resource.public_id)})
    for bad in (
        {"action": "add-resource", "resource": "https://nowhere.example/"},
        {
            "action": "add-question",
            "resource": str(first.public_id),
            "stem": "Q",
            "options": "one",
            "correct": "1",
        },
        {
            "action": "add-question",
            "resource": str(first.public_id),
            "stem": "Q",
            "options": "a\nb",
            "correct": "x",
        },
        {
            "action": "add-question",
            "resource": str(first.public_id),
            "stem": "Q",
            "options": "a\nb",
            "correct": "9",
        },
        {"action": "publish"},
        {"action": "no-such-action"},
    ):
        response = client.post(url, bad, follow=True)
        assert response.status_code == 200 and b'class="error"' in response.content, bad
    assert client.post(url, {"action": "remove-question", "question": "not-a-uuid"}).status_code == 404
    assert client.get("/me/cpd/?year=²²²²").status_code == 200
    assert client.get("/me/cpd.csv?year=٢٠٢٦").status_code == 200
    client.post(url, {"action": "up", "resource": str(second.public_id)})
    assert [item.resource for item in module.items.order_by("position")] == [second, first]


def test_a_held_reflection_keeps_the_answers_on_the_page(client, editor, learner):  # type: ignore[no-untyped-def]
    module = published_module(editor)
    questions = module.versions.get().content["questions"]
    client.force_login(learner)
    data = {f"q-{q['id']}": "1" for q in questions}
    data["reflection"] = "Mr John Smith, MRN 12345678, DOB 01/02/1950, came in with an overdose."
    page = client.post(f"/modules/{module.public_id}/", data).content.decode()
    assert "identify a patient" in page and not ModuleAttempt.objects.exists()
    assert page.count('value="1" checked') == len(questions)
    assert "MRN 12345678" in page  # the text is given back to edit, not lost


def test_an_editor_revokes_a_credential_and_every_surface_says_so(client, editor, learner):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from curation.services.credit import attempt_submit

    module = published_module(editor)
    code = attempt_submit(
        learner=learner, version=module.versions.get(), answers=all_answers(module, right=6)
    ).cpd_record.credential.code
    client.force_login(learner)
    assert client.post(f"/credentials/{code}/revoke/", {"reason": "mine"}).status_code == 403
    client.force_login(editor)
    assert "Revoke this credential" in client.get(f"/credentials/{code}/").content.decode()
    client.post(f"/credentials/{code}/revoke/", {"reason": "Attempt shared answers"})
    client.logout()
    assert "Revoked credential" in client.get(f"/credentials/{code}/").content.decode()
    assert "validUntil" in client.get(f"/credentials/{code}/badge.json").json()
    pdf = client.get(f"/credentials/{code}/certificate.pdf").content
    assert "REVOKED" in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert APIClient().get(f"/api/v1/credentials/{code}/").json()["valid"] is False
    api = APIClient()
    api.force_login(learner)
    assert (
        api.post(f"/api/v1/credentials/{code}/revocation/", {"reason": "x"}, format="json").status_code == 403
    )


def test_credit_pages_take_a_fixed_number_of_queries(client, editor, learner):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from curation.services.credit import attempt_submit, cohort_create, cohort_join, director_grant

    director = UserFactory(username="pd")
    director_grant(editor=editor, user=director, program="City EM")
    cohort = cohort_create(director=director, name="PGY-1")

    def grow(title: str) -> None:
        module = published_module(editor, title=title, questions_per_resource=1)
        resident = UserFactory()
        cohort_join(learner=resident, cohort=cohort, notice_accepted=True)
        for person in (learner, resident):
            attempt_submit(
                learner=person, version=module.versions.get(), answers=all_answers(module, right=3)
            )

    def counts() -> list[int]:
        result = []
        for who, url in (
            (learner, "/modules/"),
            (learner, "/me/cpd/"),
            (director, f"/programs/{cohort.public_id}/"),
            (director, f"/programs/{cohort.public_id}/report.csv"),
            (director, "/programs/"),
        ):
            client.force_login(who)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    grow("One")
    small = counts()
    for title in ("Two", "Three", "Four"):
        grow(title)
    assert counts() == small


def test_a_resource_an_editor_removes_leaves_the_module_on_every_surface(client, editor, learner):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from curation.models import Resource

    module = published_module(editor)
    removed = module.items.first().resource
    Resource.objects.filter(pk=removed.pk).update(status="removed")
    client.force_login(learner)
    page = client.get(f"/modules/{module.public_id}/").content.decode()
    detail = APIClient().get(f"/api/v1/modules/{module.public_id}/").json()
    assert removed.title not in page and str(removed.public_id) not in page
    assert [r["title"] for r in detail["resources"]] == [
        r.resource.title for r in module.items.order_by("position")[1:]
    ]
    client.force_login(editor)
    response = client.post(f"/editor/modules/{module.public_id}/", {"action": "publish"}, follow=True)
    assert "No longer designated" in response.content.decode()  # the next version cannot include it


@pytest.fixture
def offered_module(editor):  # type: ignore[no-untyped-def]
    return published_module(editor)


def test_hostile_quiz_forms_never_break_the_page(client, learner, offered_module):  # type: ignore[no-untyped-def]
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    questions = offered_module.versions.get().content["questions"]
    keys = st.sampled_from(
        [f"q-{q['id']}" for q in questions] + ["reflection", "q-", "q-x", "csrfmiddlewaretoken"]
    )
    client.force_login(learner)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(form=st.dictionaries(keys, st.text(max_size=30), max_size=8))
    def submit(form: dict[str, str]) -> None:
        response = client.post(f"/modules/{offered_module.public_id}/", form)
        assert response.status_code in (200, 302), response.status_code

    submit()


def test_nul_characters_and_odd_codes_are_a_clear_answer_on_every_engine(client, editor, learner):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    client.force_login(learner)
    assert client.get("/credentials/%00AB/").status_code == 404
    assert client.get("/credentials/?code=%00").status_code == 200
    assert client.get("/programs/join/?code=%00x").status_code == 302
    assert client.post("/programs/join/", {"code": "\x00", "accept": "yes"}).status_code == 302
    module = published_module(editor)
    questions = module.versions.get().content["questions"]
    response = client.post(
        f"/modules/{module.public_id}/", {f"q-{questions[0]['id']}": "1", "reflection": "a\x00b"}
    )
    assert response.status_code == 302 and ModuleAttempt.objects.get().reflection == "ab"
    api = APIClient()
    api.force_login(editor)
    assert api.delete("/api/v1/program-directors/%00/").status_code == 404
    assert api.get("/api/v1/credentials/%00/").status_code == 404
    client.force_login(editor)
    assert client.post("/editor/directors/", {"username": "\x00", "program": "P"}).status_code == 302


def test_credit_pages_authorisation_matrix(client, editor, expert, learner, outsider):  # type: ignore[no-untyped-def]
    from curation.services.credit import attempt_submit, cohort_create, cohort_join, director_grant

    module = published_module(editor)
    attempt = attempt_submit(
        learner=learner, version=module.versions.get(), answers=all_answers(module, right=6)
    )
    director = UserFactory(username="pd")
    director_grant(editor=editor, user=director, program="City EM")
    cohort = cohort_create(director=director, name="PGY-1")
    cohort_join(learner=learner, cohort=cohort, notice_accepted=True)
    code = attempt.cpd_record.credential.code
    pages = {  # url -> who gets 200 (anyone else: a sign-in redirect, 403 or 404)
        "/modules/": {"anonymous", "learner", "outsider", "expert", "editor", "director"},
        f"/modules/{module.public_id}/": {"anonymous", "learner", "outsider", "expert", "editor", "director"},
        f"/modules/attempts/{attempt.public_id}/": {"learner"},
        "/me/cpd/": {"learner", "outsider", "expert", "editor", "director"},
        f"/credentials/{code}/": {"anonymous", "learner", "outsider", "expert", "editor", "director"},
        "/programs/": {"learner", "outsider", "expert", "editor", "director"},
        f"/programs/{cohort.public_id}/": {"director"},
        f"/programs/{cohort.public_id}/report.csv": {"director"},
        "/editor/modules/": {"editor"},
        f"/editor/modules/{module.public_id}/": {"editor"},
        "/experts/credit/": {"expert"},
    }
    people = {
        "learner": learner,
        "outsider": outsider,
        "expert": expert,
        "editor": editor,
        "director": director,
    }
    for url, allowed in pages.items():
        for name in ("anonymous", *people):
            client.logout()
            if name != "anonymous":
                client.force_login(people[name])
            status = client.get(url).status_code
            assert (status == 200) == (name in allowed), (url, name, status)
            assert status in (200, 302, 403, 404), (url, name, status)
    before = (cohort.memberships.count(), module.status)
    client.force_login(outsider)
    assert client.post(f"/editor/modules/{module.public_id}/", {"action": "retire"}).status_code == 403
    assert (
        client.post(f"/programs/{cohort.public_id}/remove/", {"resident": str(learner.public_id)}).status_code
        == 404
    )
    module.refresh_from_db()
    assert (cohort.memberships.count(), module.status) == before


def test_a_resource_page_points_to_the_modules_that_include_it(client, editor):  # type: ignore[no-untyped-def]
    module = published_module(editor, title="Sepsis month")
    resource = module.items.first().resource
    page = client.get(f"/resources/{resource.public_id}/").content.decode()
    assert "Earn credit" in page and f"/modules/{module.public_id}/" in page
    other = designated("In no module")
    assert "Earn credit" not in client.get(f"/resources/{other.public_id}/").content.decode()
