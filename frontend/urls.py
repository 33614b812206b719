from django.urls import path

from frontend.views import collections, credit, developer, editor, expert, integrity, learner, research, social

app_name = "frontend"
urlpatterns = [
    path("", learner.home, name="home"),
    path("robots.txt", learner.robots_txt, name="robots-txt"),
    path("resources/<uuid:public_id>/", learner.resource_detail, name="resource-detail"),
    path("resources/<uuid:public_id>/go/", learner.resource_outbound, name="resource-outbound"),
    path("sources/", learner.source_list, name="source-list"),
    path("sources/<uuid:public_id>/", learner.source_detail, name="source-detail"),
    path("topics/<slug:slug>/", learner.topic_detail, name="topic-detail"),
    path("search/", learner.search, name="search"),
    path("library/", learner.library, name="library"),
    path("collections/", collections.my_collections, name="collections"),
    path("collections/<uuid:public_id>/", collections.collection_detail, name="collection"),
    path("collections/<uuid:public_id>/action/", collections.collection_action, name="collection-action"),
    path("resources/<uuid:public_id>/collect/", collections.collect, name="resource-collect"),
    path("topics/<slug:slug>/follow/", collections.topic_follow, name="topic-follow"),
    path("digest/", collections.digest_preference, name="digest-preference"),
    path("digest/unsubscribe/<str:token>/", collections.digest_unsubscribe_view, name="digest-unsubscribe"),
    path("resources/<uuid:public_id>/endorse/", learner.endorse, name="resource-endorse"),
    path("resources/<uuid:public_id>/save/", learner.save, name="resource-save"),
    path("resources/<uuid:public_id>/flag/", integrity.flag, name="resource-flag"),
    path("resources/<uuid:public_id>/appeal/", integrity.appeal, name="resource-appeal"),
    path("sources/<uuid:public_id>/claim/", integrity.source_claim, name="source-claim"),
    path("experts/conflicts/", integrity.conflicts, name="expert-conflicts"),
    path("experts/<uuid:public_id>/portfolio/", learner.portfolio, name="portfolio"),
    path("experts/<uuid:public_id>/portfolio.csv", learner.portfolio_csv_download, name="portfolio-csv"),
    # app developers
    path("developer/", developer.developer, name="developer"),
    path("developer/keys/", developer.key_create, name="developer-key-create"),
    path("developer/keys/<uuid:public_id>/revoke/", developer.key_revoke, name="developer-key-revoke"),
    path("developer/apps/", developer.app_create, name="developer-app-create"),
    path("developer/apps/<str:client_id>/delete/", developer.app_delete, name="developer-app-delete"),
    # experts
    path("experts/apply/", expert.apply, name="expert-apply"),
    path("reviews/assignments/", expert.assignments, name="assignments"),
    path("resources/<uuid:public_id>/review/<slug:instrument>/", expert.review_form, name="review-form"),
    # editors
    path("editor/", editor.dashboard, name="editor-dashboard"),
    path("editor/experts/", editor.verification_queue, name="editor-verification"),
    path(
        "editor/experts/<uuid:public_id>/decide/",
        editor.verification_decide,
        name="editor-verification-decide",
    ),
    path("editor/rounds/", editor.round_list, name="editor-rounds"),
    path("editor/rounds/<uuid:public_id>/", editor.round_detail, name="editor-round"),
    path("editor/rounds/<uuid:public_id>/action/", editor.round_action, name="editor-round-action"),
    path(
        "editor/rounds/<uuid:public_id>/reviewers/", integrity.round_reviewers, name="editor-round-reviewers"
    ),
    path(
        "editor/resources/<uuid:public_id>/remove/", integrity.resource_removal, name="editor-resource-remove"
    ),
    path("editor/sources/<uuid:public_id>/owners/", integrity.source_owners, name="editor-source-owners"),
    path("editor/instruments/", integrity.instruments, name="editor-instruments"),
    path(
        "editor/instruments/<slug:slug>/new/", integrity.instrument_version_new, name="editor-instrument-new"
    ),
    path("editor/rereview/", integrity.rereview_queue, name="editor-rereview"),
    path("editor/synonyms/", integrity.synonyms, name="editor-synonyms"),
    path("editor/synonyms/<int:pk>/delete/", integrity.synonym_delete, name="editor-synonym-delete"),
    path("editor/moderation/", editor.moderation, name="editor-moderation"),
    path(
        "editor/moderation/<str:kind>/<uuid:public_id>/",
        editor.moderation_decide,
        name="editor-moderation-decide",
    ),
    path("editor/harvest/", editor.harvest_health, name="editor-harvest"),
    path("editor/social/", social.editor_social, name="editor-social"),
    path("editor/social/action/", social.editor_social_action, name="editor-social-action"),
    path("experts/social/", social.expert_social, name="expert-social"),
    path("experts/social/<uuid:public_id>/remove/", social.expert_social_remove, name="expert-social-remove"),
    path("editor/sources/add/", editor.source_add, name="editor-source-add"),
    path("editor/sources/import/", editor.opml_upload, name="editor-opml-import"),
    path("editor/sources/<uuid:public_id>/retry/", editor.source_retry, name="editor-source-retry"),
    # research
    path("research/", research.dashboard, name="research"),
    path("research/<slug:name>.svg", research.plot_svg, name="research-plot"),
    path("research/<slug:name>.csv", research.plot_csv, name="research-data"),
    # learning credit
    path("modules/", credit.module_list, name="modules"),
    path("modules/<uuid:public_id>/", credit.module_detail, name="module"),
    path("modules/attempts/<uuid:public_id>/", credit.attempt_detail, name="module-attempt"),
    path("me/cpd/", credit.cpd_log, name="cpd-log"),
    path("me/cpd.csv", credit.cpd_csv, name="cpd-csv"),
    path("credentials/", credit.credential_lookup, name="credential-lookup"),
    path("credentials/<str:code>/", credit.credential_verify, name="credential"),
    path("credentials/<str:code>/certificate.pdf", credit.credential_pdf, name="credential-pdf"),
    path("credentials/<str:code>/badge.json", credit.credential_badge, name="credential-badge"),
    path("programs/", credit.programs, name="programs"),
    path("programs/join/", credit.program_join, name="program-join"),
    path("programs/<uuid:public_id>/", credit.cohort_detail, name="cohort"),
    path("programs/<uuid:public_id>/report.csv", credit.cohort_csv, name="cohort-csv"),
    path("programs/<uuid:public_id>/leave/", credit.program_leave, name="program-leave"),
    path("editor/modules/", credit.editor_modules, name="editor-modules"),
    path("editor/modules/<uuid:public_id>/", credit.editor_module, name="editor-module"),
    path("editor/directors/", credit.editor_directors, name="editor-directors"),
    path("experts/credit/", credit.expert_credit, name="expert-credit"),
    path("experts/credit/reviews/<uuid:public_id>/orcid.json", credit.review_orcid, name="review-orcid"),
]
