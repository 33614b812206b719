"""Learning credit pages: modules and their quiz, attempts, the CPD log, credentials (public verification,
PDF certificate, Open Badges JSON), programs (joining, leaving, the director's dashboard), the editors'
module builder and program directors, and the experts' peer-review credit."""

from frontend.views.credit.building import editor_directors, editor_module, editor_modules
from frontend.views.credit.credentials import (
    credential_badge,
    credential_lookup,
    credential_pdf,
    credential_revoke_view,
    credential_verify,
)
from frontend.views.credit.learning import attempt_detail, cpd_csv, cpd_log, module_detail, module_list
from frontend.views.credit.programs import (
    cohort_csv,
    cohort_detail,
    cohort_member_remove_view,
    program_join,
    program_leave,
    programs,
)
from frontend.views.credit.reviewers import expert_credit, review_orcid

__all__ = [
    "attempt_detail",
    "cohort_csv",
    "cohort_detail",
    "cohort_member_remove_view",
    "cpd_csv",
    "cpd_log",
    "credential_badge",
    "credential_lookup",
    "credential_pdf",
    "credential_revoke_view",
    "credential_verify",
    "editor_directors",
    "editor_module",
    "editor_modules",
    "expert_credit",
    "module_detail",
    "module_list",
    "program_join",
    "program_leave",
    "programs",
    "review_orcid",
]
