"""Root URL configuration: the web pages, the REST API under /api/, the admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from config.health import healthz, readyz

# The admin signs in through allauth's page: its failed-login throttle and lockout apply there too,
# instead of the admin's own unthrottled form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/", include("allauth.urls")),
    path("feeds/", include("api.feeds")),
    path("", include("frontend.urls")),
]

handler403 = "frontend.views.learner.permission_denied"
handler404 = "frontend.views.learner.page_not_found"
handler500 = "frontend.views.learner.server_error"
