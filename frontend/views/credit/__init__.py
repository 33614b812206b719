"""Learning credit pages: modules and their quiz, attempts, the CPD log, credentials (public verification,
PDF certificate, Open Badges JSON), programs (joining, leaving, the director's dashboard), the editors'
module builder and program directors, and the experts' peer-review credit."""

from frontend.views.credit.building import (
    editor_directors,
    editor_module,
    editor_modules,
    posted_uuid,
    whole_number,
)
from frontend.views.credit.credentials import (
    NOINDEX,
    credential_badge,
    credential_lookup,
    credential_pdf,
    credential_revoke_view,
    credential_verify,
)
from frontend.views.credit.learning import (
    CPD_HEADER,
    attempt_detail,
    cpd_csv,
    cpd_log,
    cpd_row,
    csv_response,
    module_detail,
    module_list,
)
from frontend.views.credit.programs import (
    COHORT_HEADER,
    cohort_csv,
    cohort_detail,
    cohort_member_remove_view,
    program_join,
    program_leave,
    programs,
)
from frontend.views.credit.reviewers import expert_credit, review_orcid

__all__ = [
    "COHORT_HEADER",
    "CPD_HEADER",
    "NOINDEX",
    "attempt_detail",
    "cohort_csv",
    "cohort_detail",
    "cohort_member_remove_view",
    "cpd_csv",
    "cpd_log",
    "cpd_row",
    "credential_badge",
    "credential_lookup",
    "credential_pdf",
    "credential_revoke_view",
    "credential_verify",
    "csv_response",
    "editor_directors",
    "editor_module",
    "editor_modules",
    "expert_credit",
    "module_detail",
    "module_list",
    "posted_uuid",
    "program_join",
    "program_leave",
    "programs",
    "review_orcid",
    "whole_number",
]
