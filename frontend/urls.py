from django.urls import path

from frontend import views

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("resources/<uuid:public_id>/", views.resource_detail, name="resource-detail"),
    path("sources/", views.source_list, name="source-list"),
]
