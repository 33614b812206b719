"""Learning credit: editors build modules and publish them as versions; learners submit attempts, and a
pass writes a CPD record and a verifiable credential; editors make program directors, who run cohorts
that residents join and leave; experts get a yearly peer-review credential and send reviews to ORCID."""

from curation.services.credit.learning import attempt_submit, credential_revoke
from curation.services.credit.modules import (
    estimate_hours,
    module_create,
    module_item_add,
    module_item_move,
    module_item_remove,
    module_publish,
    module_retire,
    module_update,
    question_add,
    question_remove,
    resource_entry,
    resource_minutes,
)
from curation.services.credit.programs import (
    cohort_create,
    cohort_join,
    cohort_leave,
    cohort_member_remove,
    director_grant,
    director_revoke,
)
from curation.services.credit.reviewers import (
    orcid_push_record,
    orcid_push_request,
    orcid_pushes_claim,
    reviewer_credential_issue,
)

__all__ = [
    "attempt_submit",
    "cohort_create",
    "cohort_join",
    "cohort_leave",
    "cohort_member_remove",
    "credential_revoke",
    "director_grant",
    "director_revoke",
    "estimate_hours",
    "module_create",
    "module_item_add",
    "module_item_move",
    "module_item_remove",
    "module_publish",
    "module_retire",
    "module_update",
    "orcid_push_record",
    "orcid_push_request",
    "orcid_pushes_claim",
    "question_add",
    "question_remove",
    "resource_entry",
    "resource_minutes",
    "reviewer_credential_issue",
]
