"""Residency programs: editors make program directors; directors run cohorts that residents join after a
notice of what the director sees, and leave."""

from django.db import transaction
from django.utils import timezone

from curation.errors import InvalidInput, NotAllowed, NotFound
from curation.models import Cohort, CohortMembership, ProgramDirector, User
from curation.selectors.credit import is_program_director
from curation.services.audit import audit_record
from curation.services.credit.common import clean_text, new_code, require_editor


def director_grant(*, editor: User, user: User, program: str) -> ProgramDirector:
    """Make `user` a program director of `program` (idempotent: updates the program's name)."""
    require_editor(editor)
    program = clean_text("program", program, limit=200, required=True)
    with transaction.atomic():
        director, _ = ProgramDirector.objects.update_or_create(
            user=user, defaults={"program": program, "granted_by": editor, "granted_at": timezone.now()}
        )
        audit_record(actor=editor, action="director.grant", target=user, after={"program": program})
    return director


def director_revoke(*, editor: User, user: User) -> None:
    """Their cohorts stay (members keep their records) but they no longer see them."""
    require_editor(editor)
    with transaction.atomic():
        ProgramDirector.objects.filter(user=user).delete()
        audit_record(actor=editor, action="director.revoke", target=user)


def cohort_create(*, director: User, name: str) -> Cohort:
    """A cohort of `director`'s program with a fresh invitation code. Raises NotAllowed."""
    if not is_program_director(director):
        raise NotAllowed("Only program directors create cohorts.")
    name = clean_text("name", name, limit=200, required=True)
    return Cohort.objects.create(
        director=director, name=name, program=director.program_director.program, invitation_code=new_code(10)
    )


def cohort_join(*, learner: User, cohort: Cohort, notice_accepted: bool) -> CohortMembership:
    """Join after accepting the notice of what the director will see (idempotent). Raises InvalidInput
    without the acceptance, InvalidInput for the director's own cohort."""
    if not notice_accepted:
        raise InvalidInput(
            "Read and accept what the program director will see first.",
            field_errors={"accept": ["Required."]},
        )
    if cohort.director_id == learner.pk:
        raise InvalidInput("You direct this cohort.")
    membership, _ = CohortMembership.objects.get_or_create(
        cohort=cohort, learner=learner, defaults={"joined_at": timezone.now()}
    )
    return membership


def cohort_member_remove(*, director: User, cohort: Cohort, learner: User) -> None:
    """The cohort's director removes a resident (they can join again with the code). Raises NotFound."""
    if cohort.director_id != director.pk or not is_program_director(director):
        raise NotFound("No such cohort.")
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, learner=learner).delete()
    if not deleted:
        raise NotFound("That resident is not in this cohort.")


def cohort_leave(*, learner: User, cohort: Cohort) -> None:
    """Leave: the director no longer sees anything of this learner. Raises NotFound when not a member."""
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, learner=learner).delete()
    if not deleted:
        raise NotFound("You are not in that cohort.")
