"""Reads for learning credit. The one rule about quiz answers lives here: `version_for_learner` is what
any page or endpoint shows of a module before an attempt is submitted (no correct option, explanation
or reference). Directors see only the members of their own cohorts; learners only their own records."""

from decimal import Decimal
from typing import Any

from allauth.socialaccount.models import SocialToken
from django.db.models import Count, Prefetch, QuerySet

from curation.enums import ModuleStatus, ResourceStatus
from curation.errors import NotFound
from curation.models import (
    Cohort,
    CohortMembership,
    CpdRecord,
    Credential,
    Module,
    ModuleAttempt,
    ModuleVersion,
    OrcidPush,
    ProgramDirector,
    Resource,
    Review,
    User,
)
from curation.selectors.public import reviews_public, vetted

ANSWER_KEYS = ("correct", "explanation", "reference")
REVIEW_HOURS = Decimal("1.0")  # the estimate per review a certificate states (an AIR review takes ~1 h)


def resources_designated() -> QuerySet[Resource]:
    """Visible vetted resources: what a module may contain."""
    return Resource.objects.filter(status=ResourceStatus.VISIBLE).filter(vetted())


def modules_published() -> QuerySet[Module]:
    """Modules a learner can take, newest month first."""
    return (
        Module.objects.filter(status=ModuleStatus.PUBLISHED).select_related("topic").order_by("-month", "-id")
    )


def modules_for_editor() -> QuerySet[Module]:
    return (
        Module.objects.select_related("topic")
        .annotate(version_count=Count("versions"))
        .order_by("-month", "-id")
    )


def program_directors() -> QuerySet[ProgramDirector]:
    return ProgramDirector.objects.select_related("user").order_by("program", "user__username")


def modules_with_resource(resource: Resource) -> QuerySet[Module]:
    """Published modules that include `resource` (their current draft's list, which the next version
    takes; the module page shows the version offered)."""
    return modules_published().filter(items__resource=resource).distinct()


def module_visible(*, user: User | None, public_id: Any) -> Module:
    """A published or retired module (retired ones are not listed or taken, but their page stays for the
    passes and badges that link to it); drafts too for an editor. Raises NotFound."""
    modules = Module.objects.select_related("topic")
    if not (user is not None and user.is_authenticated and user.is_editor):
        modules = modules.filter(status__in=(ModuleStatus.PUBLISHED, ModuleStatus.RETIRED))
    module = modules.filter(public_id=public_id).first()
    if module is None:
        raise NotFound("No such module.")
    return module


def module_version_current(module: Module) -> ModuleVersion | None:
    return module.versions.order_by("-version").first()


def version_for_learner(version: ModuleVersion) -> dict[str, Any]:
    """The version's content without the answers, and without resources an editor has since removed
    from the catalogue (their questions stay: the quiz is the version taken)."""
    content = version.content
    shown = set(
        str(public_id)
        for public_id in Resource.objects.filter(
            public_id__in=[item["id"] for item in content["resources"]], status=ResourceStatus.VISIBLE
        ).values_list("public_id", flat=True)
    )
    return {
        "module": str(version.module.public_id),
        "version": version.version,
        "title": content["title"],
        "topic": content.get("topic", ""),
        "month": content["month"],
        "objectives": list(content["objectives"]),
        "pass_mark": version.pass_mark,
        "hours": version.hours,
        "hours_estimated": version.hours_estimated,
        "resources": [dict(item) for item in content["resources"] if item["id"] in shown],
        "questions": [
            {key: value for key, value in question.items() if key not in ANSWER_KEYS}
            for question in content["questions"]
        ],
    }


def attempts_of(*, learner: User, module: Module | None = None) -> QuerySet[ModuleAttempt]:
    attempts = ModuleAttempt.objects.filter(learner=learner).select_related("module_version__module")
    if module is not None:
        attempts = attempts.filter(module_version__module=module)
    return attempts.order_by("-submitted_at", "-id")


def module_progress(*, learner: User | None) -> tuple[set[int], set[int]]:
    """Ids of the modules `learner` has attempted, and of those they have passed (any version)."""
    if learner is None:
        return set(), set()
    tried: set[int] = set()
    passed: set[int] = set()
    for module_id, did_pass in attempts_of(learner=learner).values_list(
        "module_version__module_id", "passed"
    ):
        tried.add(module_id)
        if did_pass:
            passed.add(module_id)
    return tried, passed


def attempt_own(*, learner: User, public_id: Any) -> ModuleAttempt:
    attempt = (
        attempts_of(learner=learner)
        .select_related("cpd_record__credential")
        .filter(public_id=public_id)
        .first()
    )
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def attempt_feedback(attempt: ModuleAttempt) -> list[dict[str, Any]]:
    """After submission: each question with the learner's choice, the correct option, the explanation
    and the reference."""
    feedback = []
    for question in attempt.module_version.content["questions"]:
        chosen = attempt.answers.get(question["id"])
        feedback.append({**question, "chosen": chosen, "is_correct": chosen == question["correct"]})
    return feedback


def cpd_records_of(*, learner: User, year: int | None = None) -> QuerySet[CpdRecord]:
    records = CpdRecord.objects.filter(learner=learner).select_related("module_version__module", "credential")
    if year is not None:
        records = records.filter(completed_at__year=year)
    return records.order_by("-completed_at", "-id")


def cpd_years_of(*, learner: User) -> list[int]:
    dates = CpdRecord.objects.filter(learner=learner).dates("completed_at", "year", order="DESC")
    return [moment.year for moment in dates]


def credentials_of(*, user: User) -> QuerySet[Credential]:
    return Credential.objects.filter(subject=user).order_by("-issued_at", "-id")


def normalised_code(code: str) -> str:
    """A typed code as stored: letters and digits only, upper case (spaces, dashes and stray characters
    from copying are dropped)."""
    return "".join(c for c in str(code).upper() if c.isascii() and c.isalnum())[:24]


def credential_by_code(*, code: str) -> Credential:
    """The credential a verification code names (revoked ones too: the page says so). Raises NotFound."""
    credential = Credential.objects.select_related("subject").filter(code=normalised_code(code)).first()
    if credential is None:
        raise NotFound("No credential has that verification code.")
    return credential


def is_program_director(user: User | None) -> bool:
    return bool(
        user is not None and user.is_authenticated and ProgramDirector.objects.filter(user=user).exists()
    )


def cohorts_directed_by(*, director: User) -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(director=director)
        .annotate(member_count=Count("memberships"))
        .order_by("-created_at")
    )


def cohort_directed(*, director: User, public_id: Any) -> Cohort:
    """One of `director`'s own cohorts. Raises NotFound for anyone else's (no oracle)."""
    cohort = Cohort.objects.filter(director=director, public_id=public_id).first()
    if cohort is None or not is_program_director(director):
        raise NotFound("No such cohort.")
    return cohort


def cohort_by_code(*, code: str) -> Cohort:
    cohort = Cohort.objects.select_related("director").filter(invitation_code=normalised_code(code)).first()
    if cohort is None:
        raise NotFound("No cohort has that invitation code.")
    return cohort


def memberships_of(*, learner: User) -> QuerySet[CohortMembership]:
    return (
        CohortMembership.objects.filter(learner=learner)
        .select_related("cohort__director")
        .order_by("joined_at")
    )


def cohort_dashboard(*, cohort: Cohort) -> list[dict[str, Any]]:
    """Each member (while a member) with the modules completed since joining: module, version, date,
    score and hours, and their total hours. Nothing from before they joined, nothing of non-members."""
    memberships = list(
        cohort.memberships.select_related("learner").prefetch_related(
            Prefetch(
                "learner__cpd_records",
                queryset=CpdRecord.objects.select_related("module_version__module", "credential").order_by(
                    "-completed_at"
                ),
            )
        )
    )
    rows = []
    for membership in memberships:
        records = [
            record
            for record in membership.learner.cpd_records.all()
            if record.completed_at >= membership.joined_at
        ]
        rows.append(
            {
                "learner": membership.learner,
                "joined_at": membership.joined_at,
                "records": records,
                "hours": sum((record.hours for record in records), Decimal("0")),
            }
        )
    return rows


def reviews_for_credit(*, reviewer: User, year: int | None = None) -> QuerySet[Review]:
    """The reviewer's reviews that count for credit, oldest first: the public ones (`reviews_public`), since
    a credential and an ORCID record are public; a review in a round counts once the round is published."""
    reviews = reviews_public().filter(reviewer=reviewer, submitted_at__isnull=False)
    if year is not None:
        reviews = reviews.filter(submitted_at__year=year)
    return reviews.select_related("resource__source", "instrument_version__instrument", "round").order_by(
        "submitted_at", "id"
    )


def _year_summary(year: int, reviews: list[Review]) -> dict[str, Any]:
    return {
        "year": year,
        "reviews": len(reviews),
        "instruments": sorted({str(review.instrument_version) for review in reviews}),
        "rounds": sorted({review.round.title for review in reviews if review.round is not None}),
        "hours": REVIEW_HOURS * len(reviews),
    }


def reviewer_year_summary(*, reviewer: User, year: int) -> dict[str, Any]:
    """Reviews, instruments and rounds of one year, with the stated estimate of hours."""
    return _year_summary(year, list(reviews_for_credit(reviewer=reviewer, year=year)))


def reviewer_year_summaries(*, reviewer: User) -> list[dict[str, Any]]:
    """Every year with reviews that count, newest first (one query)."""
    by_year: dict[int, list[Review]] = {}
    for review in reviews_for_credit(reviewer=reviewer):
        by_year.setdefault(review.submitted_at.year, []).append(review)  # type: ignore[union-attr]
    return [_year_summary(year, by_year[year]) for year in sorted(by_year, reverse=True)]


def orcid_link(user: User) -> tuple[str, str] | None:
    """(ORCID iD, access token) of the user's connected ORCID account, when they connected it with a
    token kept for pushing (ORCID_PUSH_ENABLED); None otherwise."""
    token = (
        SocialToken.objects.filter(account__user=user, account__provider="orcid")
        .select_related("account")
        .order_by("-id")
        .first()
    )
    if token is None or not token.token:
        return None
    return token.account.uid, token.token


def orcid_pushes_of(*, reviewer: User) -> dict[int, OrcidPush]:
    """The reviewer's ORCID pushes by review id."""
    return {push.review_id: push for push in OrcidPush.objects.filter(review__reviewer=reviewer)}
