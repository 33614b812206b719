"""Learning credit through the API: the whole flow (an editor builds and publishes, a learner fails and
passes, the credential verifies publicly, a director sees the pass), the authorisation matrix of every
credit endpoint (a denied request changes nothing), answers never leaving before submission, hostile
attempt bodies, pinned query counts and the reviewer's credit with its ORCID JSON."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from curation.enums import ReviewStatus
from curation.models import (
    CohortMembership,
    CpdRecord,
    Credential,
    InstrumentVersion,
    Module,
    ModuleAttempt,
    ProgramDirector,
    Question,
    Review,
)
from curation.services.credit import attempt_submit, cohort_create, cohort_join, director_grant
from tests.credit import ANSWER_SENTINELS, all_answers, designated, published_module
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

OB3_REQUIRED = ("@context", "id", "type", "issuer", "validFrom", "credentialSubject", "name")


def _client(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_login(user)
    return client


def test_the_credit_flow_through_the_api(editor, learner, outsider):  # type: ignore[no-untyped-def]
    as_editor = _client(editor)
    created = as_editor.post(
        "/api/v1/modules/",
        {
            "title": "Airway month",
            "month": "2026-11-17",
            "objectives": ["Plan a difficult airway"],
            "pass_mark": 80,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    module_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert APIClient().get(f"/api/v1/modules/{module_id}/").status_code == 404  # drafts are the editors'
    resources = [designated(f"Airway post {n}", duration_seconds=1200) for n in range(3)]
    undesignated = ResourceFactory(title="Not vetted")
    refused = as_editor.post(
        f"/api/v1/modules/{module_id}/items/", {"resource": str(undesignated.public_id)}, format="json"
    )
    assert refused.status_code == 404
    for resource in resources:
        assert (
            as_editor.post(
                f"/api/v1/modules/{module_id}/items/", {"resource": str(resource.public_id)}, format="json"
            ).status_code
            == 201
        )
        for q in range(2):
            added = as_editor.post(
                f"/api/v1/modules/{module_id}/questions/",
                {
                    "resource": str(resource.public_id),
                    "stem": f"Q{q} on {resource.title}",
                    "options": ["A", "B", "C"],
                    "correct": 2,
                    "explanation": "Because.",
                    "reference": "Ref 2024",
                },
                format="json",
            )
            assert added.status_code == 201, added.content
    draft = as_editor.get(f"/api/v1/modules/{module_id}/draft/").json()
    assert len(draft["resources"]) == 3 and {q["correct"] for q in draft["questions"]} == {2}
    renamed = as_editor.patch(f"/api/v1/modules/{module_id}/draft/", {"title": "Airway month"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["pass_mark"] == 80
    extra = as_editor.post(
        f"/api/v1/modules/{module_id}/questions/",
        {"resource": str(resources[0].public_id), "stem": "To remove", "options": ["x", "y"], "correct": 0},
        format="json",
    ).json()
    assert as_editor.delete(f"/api/v1/modules/{module_id}/questions/{extra['id']}/").status_code == 204
    assert as_editor.delete(f"/api/v1/modules/{module_id}/questions/{extra['id']}/").status_code == 404
    published = as_editor.post(f"/api/v1/modules/{module_id}/publish/")
    assert published.status_code == 201
    assert published.json() == {
        "version": 1,
        "hours": "1.25",
        "hours_estimated": True,
    }  # 60 min + 6 x 1.5 min

    as_learner = _client(learner)
    listed = as_learner.get("/api/v1/modules/").json()
    assert [m["id"] for m in listed] == [module_id]
    detail = as_learner.get(f"/api/v1/modules/{module_id}/").json()
    assert len(detail["resources"]) == 3 and len(detail["questions"]) == 6
    assert detail["hours_estimated"] is True and detail["pass_mark"] == 80
    answers = {q["id"]: 0 for q in detail["questions"]}
    failed = as_learner.post(
        f"/api/v1/modules/{module_id}/attempts/", {"version": 1, "answers": answers}, format="json"
    )
    assert (
        failed.status_code == 201 and failed.json()["passed"] is False and failed.json()["credential"] is None
    )
    assert all(
        item["correct"] == 2 and item["explanation"] == "Because." for item in failed.json()["feedback"]
    )
    answers = {q["id"]: 2 for q in detail["questions"]}
    passed = as_learner.post(
        f"/api/v1/modules/{module_id}/attempts/", {"answers": answers, "reflection": "Plan B."}, format="json"
    ).json()
    assert passed["passed"] is True and passed["score"] == 100.0 and passed["credential"]
    again = as_learner.post(
        f"/api/v1/modules/{module_id}/attempts/", {"answers": answers}, format="json"
    ).json()
    assert again["passed"] is True and again["credential"] is None  # nothing earned twice
    assert len(as_learner.get("/api/v1/me/attempts/").json()) == 3
    cpd = as_learner.get("/api/v1/me/cpd/").json()
    assert len(cpd) == 1 and cpd[0]["hours"] == "1.25" and cpd[0]["credential"] == passed["credential"]
    assert as_learner.get("/api/v1/me/cpd/?year=1999").json() == []
    assert as_learner.get("/api/v1/me/cpd/?year=²²²²").status_code == 200
    assert as_learner.get(f"/api/v1/me/attempts/{passed['id']}/").json()["reflection"] == "Plan B."
    assert [c["code"] for c in as_learner.get("/api/v1/me/credentials/").json()] == [passed["credential"]]

    verified = APIClient().get(f"/api/v1/credentials/{passed['credential']}/").json()
    assert verified["valid"] is True and verified["achievement"]["recipient"] == learner.display_name
    for field in OB3_REQUIRED:
        assert field in verified["badge"]

    director = UserFactory(username="director")
    assert (
        as_editor.post(
            "/api/v1/program-directors/", {"username": "director", "program": "EM Residency"}, format="json"
        ).status_code
        == 201
    )
    as_director = _client(director)
    cohort = as_director.post("/api/v1/cohorts/", {"name": "PGY-2"}, format="json").json()
    refused = as_learner.post(
        "/api/v1/cohorts/join/", {"code": cohort["invitation_code"], "accept_notice": False}, format="json"
    )
    assert refused.status_code == 400 and not CohortMembership.objects.exists()
    joined = as_learner.post(
        "/api/v1/cohorts/join/",
        {"code": cohort["invitation_code"].lower(), "accept_notice": True},
        format="json",
    )
    assert joined.status_code == 201
    attempt_submit(
        learner=learner, version=Module.objects.get().versions.get(), answers=answers
    )  # passes after joining
    CpdRecord.objects.update(completed_at=timezone.now() + timedelta(seconds=1))
    dashboard = as_director.get(f"/api/v1/cohorts/{cohort['id']}/").json()
    assert [r["name"] for r in dashboard["residents"]] == [learner.display_name]
    assert dashboard["residents"][0]["records"][0]["title"] == "Airway month"
    assert _client(outsider).get(f"/api/v1/cohorts/{cohort['id']}/").status_code == 403
    assert [m["name"] for m in as_learner.get("/api/v1/me/cohorts/").json()] == ["PGY-2"]
    assert as_learner.delete(f"/api/v1/me/cohorts/{cohort['id']}/").status_code == 204
    assert as_director.get(f"/api/v1/cohorts/{cohort['id']}/").json()["residents"] == []
    assert as_learner.delete(f"/api/v1/me/cohorts/{cohort['id']}/").status_code == 404


@pytest.fixture
def credit_world(editor, expert, learner):  # type: ignore[no-untyped-def]
    module = published_module(editor)
    director = UserFactory(username="director")
    director_grant(editor=editor, user=director, program="EM Residency")
    cohort = cohort_create(director=director, name="PGY-1")
    cohort_join(learner=learner, cohort=cohort, notice_accepted=True)
    attempt = attempt_submit(
        learner=learner, version=module.versions.get(), answers=all_answers(module, right=6)
    )
    review = Review.objects.create(
        resource=module.items.first().resource,
        reviewer=expert,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return {"module": module, "director": director, "cohort": cohort, "attempt": attempt, "review": review}


def _state() -> tuple[int, ...]:
    return (
        *tuple(
            model.objects.count()
            for model in (
                Module,
                Question,
                ModuleAttempt,
                CpdRecord,
                Credential,
                ProgramDirector,
                CohortMembership,
            )
        ),
        Module.objects.filter(status="published").count(),
    )


# (method, url template, body, who may) -- "own" endpoints answer every signed-in user with their own data.
MATRIX = [
    (
        "get",
        "/api/v1/modules/",
        None,
        {"anonymous", "learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    (
        "get",
        "/api/v1/modules/{module}/",
        None,
        {"anonymous", "learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    ("post", "/api/v1/modules/", {"title": "New", "month": "2026-12-01"}, {"editor"}),
    (
        "post",
        "/api/v1/modules/{module}/items/",
        {"resource": "{resource}"},
        {"editor"},
    ),  # editing the next version's draft
    ("post", "/api/v1/modules/{module}/publish/", None, {"editor"}),
    ("get", "/api/v1/modules/{module}/draft/", None, {"editor"}),
    ("patch", "/api/v1/modules/{module}/draft/", {"title": "Renamed", "topic": ""}, {"editor"}),
    ("delete", "/api/v1/modules/{module}/questions/{question}/", None, {"editor"}),
    ("delete", "/api/v1/modules/{module}/items/{resource}/", None, {"editor"}),
    ("post", "/api/v1/modules/{module}/retire/", None, {"editor"}),
    ("post", "/api/v1/credentials/{code}/revocation/", {"reason": "Shared answers"}, {"editor"}),
    (
        "post",
        "/api/v1/modules/{module}/attempts/",
        {"answers": {}},
        {"learner", "expert", "editor", "api_key_write", "oauth"},
    ),
    (
        "get",
        "/api/v1/me/attempts/",
        None,
        {"learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    ("get", "/api/v1/me/attempts/{attempt}/", None, {"learner"}),
    (
        "get",
        "/api/v1/me/cpd/",
        None,
        {"learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    (
        "get",
        "/api/v1/me/credentials/",
        None,
        {"learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    (
        "get",
        "/api/v1/credentials/{code}/",
        None,
        {"anonymous", "learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    ("get", "/api/v1/cohorts/", None, set()),
    ("get", "/api/v1/cohorts/{cohort}/", None, set()),
    ("post", "/api/v1/cohorts/", {"name": "X"}, set()),
    ("delete", "/api/v1/cohorts/{cohort}/residents/{resident_user}/", None, set()),  # the director's only
    (
        "post",
        "/api/v1/cohorts/join/",
        {"code": "{invitation}", "accept_notice": True},
        {"expert", "editor", "api_key_write", "oauth", "learner"},
    ),
    (
        "get",
        "/api/v1/me/cohorts/",
        None,
        {"learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"},
    ),
    ("delete", "/api/v1/me/cohorts/{cohort}/", None, {"learner"}),
    ("get", "/api/v1/me/review-credit/", None, {"expert", "api_key_read", "api_key_write", "oauth"}),
    ("post", "/api/v1/me/review-credit/", {"year": "{year}"}, {"expert", "api_key_write", "oauth"}),
    ("get", "/api/v1/me/reviews/{review}/orcid/", None, {"expert", "api_key_read", "api_key_write", "oauth"}),
    ("post", "/api/v1/program-directors/", {"username": "outsider", "program": "P"}, {"editor"}),
    ("delete", "/api/v1/program-directors/director/", None, {"editor"}),
]


def _fill(value, names):  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "template", "body", "allowed"), MATRIX, ids=[f"{m} {u}" for m, u, _, _ in MATRIX]
)
def test_credit_endpoints_authorisation_matrix(
    personas, credit_world, outsider, method, template, body, allowed
):  # type: ignore[no-untyped-def]
    names = {
        "module": credit_world["module"].public_id,
        "resource": credit_world["module"].items.first().resource.public_id,
        "attempt": credit_world["attempt"].public_id,
        "code": credit_world["attempt"].cpd_record.credential.code,
        "cohort": credit_world["cohort"].public_id,
        "invitation": credit_world["cohort"].invitation_code,
        "review": credit_world["review"].public_id,
        "question": credit_world["module"].questions.first().public_id,
        "resident_user": credit_world["attempt"].learner.public_id,
        "year": timezone.now().year,
    }
    url = _fill(template, names)
    for persona, client in personas.items():
        before = _state()
        response = (
            getattr(client, method)(url, _fill(body, names), format="json")
            if body is not None
            else getattr(client, method)(url)
        )
        if persona in allowed:
            assert response.status_code < 300, (persona, response.status_code, response.content[:300])
        else:
            assert response.status_code in (401, 403, 404, 409), (
                persona,
                response.status_code,
                response.content[:300],
            )
            assert _state() == before, persona
        assert response.status_code != 500


def test_the_director_endpoints_are_the_directors_own(credit_world, editor, learner, outsider):  # type: ignore[no-untyped-def]
    director, cohort = credit_world["director"], credit_world["cohort"]
    other = UserFactory(username="other-director")
    director_grant(editor=editor, user=other, program="Another program")
    assert _client(other).get(f"/api/v1/cohorts/{cohort.public_id}/").status_code == 404
    assert _client(other).get("/api/v1/cohorts/").json() == []
    mine = _client(director).get(f"/api/v1/cohorts/{cohort.public_id}/").json()
    assert [r["name"] for r in mine["residents"]] == [learner.display_name]
    assert _client(director).post("/api/v1/cohorts/", {"name": "PGY-3"}, format="json").status_code == 201
    assert (
        _client(outsider).get(f"/api/v1/me/attempts/{credit_world['attempt'].public_id}/").status_code == 404
    )
    resident = f"/api/v1/cohorts/{cohort.public_id}/residents/{learner.public_id}/"
    assert _client(other).delete(resident).status_code == 404
    assert _client(director).delete(resident).status_code == 204
    assert _client(director).get(f"/api/v1/cohorts/{cohort.public_id}/").json()["residents"] == []
    assert _client(director).delete(resident).status_code == 404


def _texts_before_submission(module, learner, editor):  # type: ignore[no-untyped-def]
    """Every response about a module that a learner (or an anonymous visitor) can get before submitting."""
    from django.test import Client

    web = Client()
    bodies = []
    for who in (None, learner, editor):
        api = APIClient()
        if who is not None:
            api.force_login(who)
            web.force_login(who)
        else:
            web.logout()
        for url in ("/api/v1/modules/", f"/api/v1/modules/{module.public_id}/"):
            bodies.append((url, api.get(url).content.decode()))
        for url in ("/modules/", f"/modules/{module.public_id}/"):
            bodies.append((url, web.get(url).content.decode()))
        bad = web.post(f"/modules/{module.public_id}/", {"reflection": "x" * 5000})  # a refused submission
        bodies.append(("refused post", bad.content.decode()))
    return bodies


def test_quiz_answers_are_absent_from_every_response_before_submission(editor, learner):  # type: ignore[no-untyped-def]
    module = published_module(editor)
    for url, body in _texts_before_submission(module, learner, editor):
        for secret in ANSWER_SENTINELS:
            assert secret not in body, url
        assert '"correct"' not in body and "is_correct" not in body, url
    assert not ModuleAttempt.objects.exists()
    detail = APIClient().get(f"/api/v1/modules/{module.public_id}/").json()
    assert all(set(q) == {"id", "resource", "stem", "options"} for q in detail["questions"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.dictionaries(
            st.text(max_size=8),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                max_leaves=6,
            ),
            max_size=4,
        ),
        st.fixed_dictionaries(
            {
                "answers": st.dictionaries(
                    st.text(max_size=40), st.integers(-5, 10**12) | st.text(max_size=5), max_size=4
                ),
                "reflection": st.text(max_size=50),
                "version": st.integers(-3, 5),
            }
        ),
    )
)
def test_hostile_attempt_bodies_get_a_clear_4xx(editor, learner, body):  # type: ignore[no-untyped-def]
    module = Module.objects.first() or published_module(editor)
    client = _client(learner)
    before = CpdRecord.objects.count()
    response = client.post(f"/api/v1/modules/{module.public_id}/attempts/", body, format="json")
    assert response.status_code in (201, 400, 409), response.content[:300]
    if response.status_code != 201:
        assert response["Content-Type"].startswith("application/problem+json")
    assert CpdRecord.objects.count() >= before


def test_list_endpoints_take_a_fixed_number_of_queries(editor, learner, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    def counts() -> list[int]:
        client = _client(learner)
        result = []
        for url in (
            "/api/v1/modules/",
            "/api/v1/me/attempts/",
            "/api/v1/me/cpd/",
            "/api/v1/me/credentials/",
            "/api/v1/me/cohorts/",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    def grow(title: str) -> None:
        module = published_module(editor, title=title, questions_per_resource=1)
        attempt_submit(learner=learner, version=module.versions.get(), answers=all_answers(module, right=3))
        director = UserFactory()
        director_grant(editor=editor, user=director, program=title)
        cohort_join(
            learner=learner, cohort=cohort_create(director=director, name=title), notice_accepted=True
        )

    grow("One")
    small = counts()
    for title in ("Two", "Three", "Four"):
        grow(title)
    assert counts() == small


def test_reviewer_credit_certificate_badge_and_orcid_json(credit_world, expert, client):  # type: ignore[no-untyped-def]
    from io import BytesIO

    from pypdf import PdfReader

    expert.first_name, expert.last_name = "Zoë", "Łukasz"
    expert.save()
    review = credit_world["review"]
    as_expert = _client(expert)
    year = timezone.now().year
    years = as_expert.get("/api/v1/me/review-credit/").json()
    assert years == [
        {
            "year": year,
            "reviews": 1,
            "instruments": [str(review.instrument_version)],
            "rounds": [],
            "hours": "1.00",
        }
    ]
    assert as_expert.post("/api/v1/me/review-credit/", {"year": 1999}, format="json").status_code == 400
    issued = as_expert.post("/api/v1/me/review-credit/", {"year": year}, format="json").json()
    again = as_expert.post("/api/v1/me/review-credit/", {"year": year}, format="json").json()
    assert issued["code"] == again["code"] and Credential.objects.filter(kind="peer_review").count() == 1
    pdf = client.get(f"/credentials/{issued['code']}/certificate.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages).split())
    assert "Certificate of peer review" in text and "1 FOAMed resource" in text and issued["code"] in text
    assert "Zo" in text and "ukasz" in text  # a Unicode font when the system has one, folded otherwise
    orcid = as_expert.get(f"/api/v1/me/reviews/{review.public_id}/orcid/").json()
    assert orcid["reviewer-role"] == "reviewer" and orcid["review-type"] == "review"
    assert orcid["review-identifiers"]["external-id"][0]["external-id-value"] == str(review.public_id)
    assert orcid["review-completion-date"]["year"]["value"] == str(year)
    assert orcid["subject-name"]["title"]["value"] == review.resource.title
    assert orcid["convening-organization"]["name"] and orcid["review-group-id"]
    assert "scores" not in str(orcid) and "comments" not in str(orcid)
    client.force_login(expert)
    page = client.get("/experts/credit/").content.decode()
    assert issued["code"] in page and "ORCID JSON" in page
    download = client.get(f"/experts/credit/reviews/{review.public_id}/orcid.json")
    assert download.json() == orcid
    other = make_other_expert(credit_world)
    assert _client(other).get(f"/api/v1/me/reviews/{review.public_id}/orcid/").status_code == 404


def make_other_expert(credit_world):  # type: ignore[no-untyped-def]
    from tests.conftest import make_verified_expert

    return make_verified_expert(credit_world["director"], "other-expert")
