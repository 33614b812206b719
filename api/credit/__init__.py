"""API v1 for learning credit: modules and their questions (never the answers before an attempt is
submitted), one's own attempts, CPD records and credentials, public credential verification, cohorts
(their director), joining and leaving a cohort, reviewer credit and ORCID peer-review JSON, and the
editors' module building and program directors."""

from api.credit.building import (
    ModuleDraftView,
    ModuleItemsView,
    ModuleItemView,
    ModulePublishView,
    ModuleQuestionsView,
    ModuleQuestionView,
    ModuleRetireView,
)
from api.credit.modules import ModuleAttemptsView, ModuleDetailView, ModuleListView
from api.credit.programs import (
    CohortDetailView,
    CohortJoinView,
    CohortListView,
    CohortMemberView,
    MyCohortsView,
    MyCohortView,
    ProgramDirectorsView,
    ProgramDirectorView,
)
from api.credit.records import (
    CredentialRevocationView,
    CredentialVerifyView,
    MyAttemptsView,
    MyAttemptView,
    MyCpdView,
    MyCredentialsView,
)
from api.credit.reviewers import MyReviewCreditView, MyReviewOrcidView

__all__ = [
    "CohortDetailView",
    "CohortJoinView",
    "CohortListView",
    "CohortMemberView",
    "CredentialRevocationView",
    "CredentialVerifyView",
    "ModuleAttemptsView",
    "ModuleDetailView",
    "ModuleDraftView",
    "ModuleItemView",
    "ModuleItemsView",
    "ModuleListView",
    "ModulePublishView",
    "ModuleQuestionView",
    "ModuleQuestionsView",
    "ModuleRetireView",
    "MyAttemptView",
    "MyAttemptsView",
    "MyCohortView",
    "MyCohortsView",
    "MyCpdView",
    "MyCredentialsView",
    "MyReviewCreditView",
    "MyReviewOrcidView",
    "ProgramDirectorView",
    "ProgramDirectorsView",
]
