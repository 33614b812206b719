from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views
from api.errors import api_not_found

v1 = (
    [
        path("", views.ApiRootView.as_view(), name="root"),
        path("resources/", views.ResourceListView.as_view(), name="resource-list"),
        path("resources/<uuid:id>/", views.ResourceDetailView.as_view(), name="resource-detail"),
        path("sources/", views.SourceListView.as_view(), name="source-list"),
        path("sources/<uuid:id>/", views.SourceDetailView.as_view(), name="source-detail"),
        path("topics/", views.TopicListView.as_view(), name="topic-list"),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
    ],
    "api",
)

urlpatterns = [
    path("v1/", include(v1)),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="api-docs"),
    re_path(r"^.*$", api_not_found),
]
