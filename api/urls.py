from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import collections, credit, integrity, social, views
from api.errors import api_not_found

v1 = (
    [
        path("", views.ApiRootView.as_view(), name="root"),
        path("resources/", views.ResourceListView.as_view(), name="resource-list"),
        path("resources/<uuid:id>/", views.ResourceDetailView.as_view(), name="resource-detail"),
        path("resources/<uuid:id>/metrics/", views.ResourceMetricsView.as_view(), name="resource-metrics"),
        path("resources/<uuid:id>/related/", views.ResourceRelatedView.as_view(), name="resource-related"),
        path(
            "resources/<uuid:id>/transcript/",
            views.ResourceTranscriptView.as_view(),
            name="resource-transcript",
        ),
        path(
            "resources/<uuid:id>/endorsement/", views.EndorsementView.as_view(), name="resource-endorsement"
        ),
        path("resources/<uuid:id>/flags/", integrity.ResourceFlagView.as_view(), name="resource-flags"),
        path(
            "resources/<uuid:id>/removal/", integrity.ResourceRemovalView.as_view(), name="resource-removal"
        ),
        path("appeals/", integrity.AppealCreateView.as_view(), name="appeal-create"),
        path("cases/", integrity.CaseListView.as_view(), name="case-list"),
        path(
            "cases/<slug:kind>/<uuid:id>/decision/",
            integrity.CaseDecisionView.as_view(),
            name="case-decision",
        ),
        path("sources/<uuid:id>/claims/", integrity.SourceClaimView.as_view(), name="source-claims"),
        path("me/claims/", integrity.MyClaimsView.as_view(), name="my-claims"),
        path("me/conflicts/", integrity.MyConflictsView.as_view(), name="my-conflicts"),
        path("me/follows/", collections.MyFollowsView.as_view(), name="my-follows"),
        path("modules/", credit.ModuleListView.as_view(), name="module-list"),
        path("modules/<uuid:id>/", credit.ModuleDetailView.as_view(), name="module-detail"),
        path("modules/<uuid:id>/attempts/", credit.ModuleAttemptsView.as_view(), name="module-attempts"),
        path("modules/<uuid:id>/items/", credit.ModuleItemsView.as_view(), name="module-items"),
        path("modules/<uuid:id>/questions/", credit.ModuleQuestionsView.as_view(), name="module-questions"),
        path("modules/<uuid:id>/publish/", credit.ModulePublishView.as_view(), name="module-publish"),
        path("modules/<uuid:id>/retire/", credit.ModuleRetireView.as_view(), name="module-retire"),
        path("modules/<uuid:id>/draft/", credit.ModuleDraftView.as_view(), name="module-draft"),
        path("modules/<uuid:id>/items/<uuid:resource>/", credit.ModuleItemView.as_view(), name="module-item"),
        path(
            "modules/<uuid:id>/questions/<uuid:question>/",
            credit.ModuleQuestionView.as_view(),
            name="module-question",
        ),
        path("me/attempts/", credit.MyAttemptsView.as_view(), name="my-attempts"),
        path("me/attempts/<uuid:id>/", credit.MyAttemptView.as_view(), name="my-attempt"),
        path("me/cpd/", credit.MyCpdView.as_view(), name="my-cpd"),
        path("me/credentials/", credit.MyCredentialsView.as_view(), name="my-credentials"),
        path("me/cohorts/", credit.MyCohortsView.as_view(), name="my-cohorts"),
        path("me/cohorts/<uuid:id>/", credit.MyCohortView.as_view(), name="my-cohort"),
        path("me/review-credit/", credit.MyReviewCreditView.as_view(), name="my-review-credit"),
        path("me/reviews/<uuid:id>/orcid/", credit.MyReviewOrcidView.as_view(), name="my-review-orcid"),
        path("credentials/<str:code>/", credit.CredentialVerifyView.as_view(), name="credential-verify"),
        path(
            "credentials/<str:code>/revocation/",
            credit.CredentialRevocationView.as_view(),
            name="credential-revocation",
        ),
        path("cohorts/", credit.CohortListView.as_view(), name="cohort-list"),
        path("cohorts/join/", credit.CohortJoinView.as_view(), name="cohort-join"),
        path("cohorts/<uuid:id>/", credit.CohortDetailView.as_view(), name="cohort-detail"),
        path(
            "cohorts/<uuid:id>/residents/<uuid:resident>/",
            credit.CohortMemberView.as_view(),
            name="cohort-resident",
        ),
        path("program-directors/", credit.ProgramDirectorsView.as_view(), name="program-directors"),
        path(
            "program-directors/<str:username>/",
            credit.ProgramDirectorView.as_view(),
            name="program-director",
        ),
        path("collections/", collections.CollectionListView.as_view(), name="collection-list"),
        path("collections/<uuid:id>/", collections.CollectionDetailView.as_view(), name="collection-detail"),
        path(
            "collections/<uuid:id>/items/", collections.CollectionItemsView.as_view(), name="collection-items"
        ),
        path(
            "collections/<uuid:id>/items/<uuid:resource>/",
            collections.CollectionItemView.as_view(),
            name="collection-item",
        ),
        path(
            "rounds/<uuid:id>/assignments/",
            integrity.RoundAssignmentsView.as_view(),
            name="round-assignments",
        ),
        path(
            "instruments/<slug:slug>/versions/",
            integrity.InstrumentVersionCreateView.as_view(),
            name="instrument-versions",
        ),
        path("resources/<uuid:id>/social/", social.ResourceSocialView.as_view(), name="resource-social"),
        path("sources/<uuid:id>/social/", social.SourceSocialView.as_view(), name="source-social"),
        path("social/sources/", social.SocialSourceListView.as_view(), name="social-source-list"),
        path(
            "social/sources/<uuid:id>/status/",
            social.SocialSourceStatusView.as_view(),
            name="social-source-status",
        ),
        path("social/discussed/", social.DiscussedView.as_view(), name="social-discussed"),
        path("social/forget/", social.SocialForgetView.as_view(), name="social-forget"),
        path("me/social-identities/", social.MySocialIdentitiesView.as_view(), name="my-social-identities"),
        path(
            "me/social-identities/<uuid:id>/",
            social.MySocialIdentityView.as_view(),
            name="my-social-identity",
        ),
        path("sources/", views.SourceListView.as_view(), name="source-list"),
        path("sources/<uuid:id>/", views.SourceDetailView.as_view(), name="source-detail"),
        path("topics/", views.TopicListView.as_view(), name="topic-list"),
        path("instruments/", views.InstrumentListView.as_view(), name="instrument-list"),
        path("instruments/<slug:slug>/", views.InstrumentDetailView.as_view(), name="instrument-detail"),
        path("reviews/", views.ReviewListView.as_view(), name="review-list"),
        path("reviews/<uuid:id>/", views.ReviewDetailView.as_view(), name="review-detail"),
        path("reviews/<uuid:id>/submit/", views.ReviewSubmitView.as_view(), name="review-submit"),
        path("rounds/", views.RoundListView.as_view(), name="round-list"),
        path("rounds/<uuid:id>/", views.RoundDetailView.as_view(), name="round-detail"),
        path("designations/", views.DesignationListView.as_view(), name="designation-list"),
        path("reliability/", views.ReliabilityView.as_view(), name="reliability"),
        path("me/", views.MeView.as_view(), name="me"),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
    ],
    "api",
)

urlpatterns = [
    path("v1/", include(v1)),
    # The split view serves its start-up script as a file, so the docs keep our script policy (no inline
    # script); only the docs page allows the inline <style> of Swagger UI's template.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="api-docs",
    ),
    re_path(r"^.*$", api_not_found),
]
