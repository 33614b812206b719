from django.urls import path

from frontend import views

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("resources/<uuid:public_id>/", views.resource_detail, name="resource-detail"),
    path("resources/<uuid:public_id>/go/", views.resource_outbound, name="resource-outbound"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<uuid:public_id>/", views.source_detail, name="source-detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("search/", views.search, name="search"),
    path("library/", views.library, name="library"),
    path("resources/<uuid:public_id>/endorse/", views.endorse, name="resource-endorse"),
    path("resources/<uuid:public_id>/save/", views.save, name="resource-save"),
    path("experts/<uuid:public_id>/portfolio/", views.portfolio, name="portfolio"),
    path("experts/<uuid:public_id>/portfolio.csv", views.portfolio_csv_download, name="portfolio-csv"),
]
