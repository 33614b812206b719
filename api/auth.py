"""Authentication, permissions and throttles of the public API: sessions (the web site), per-app API
keys (scoped, with quotas), and OAuth 2 access tokens (django-oauth-toolkit, code + PKCE)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.models import AccessToken
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request

from curation.models import ApiKey, ApiKeyScope, User
from curation.selectors.developer import api_key_usage_cache_key
from curation.services.apikeys import api_key_check

API_KEY_HEADER = "HTTP_X_API_KEY"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key fc_…` or `X-API-Key: fc_…`. The app acts as the key's owner."""

    keyword = "Api-Key"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        raw = request.META.get(API_KEY_HEADER, "")
        header = authentication.get_authorization_header(request).decode("latin-1")
        if header.startswith(f"{self.keyword} "):
            raw = header[len(self.keyword) + 1 :]
        if not raw:
            return None
        key = api_key_check(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown, revoked or malformed API key.")
        return key.owner, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ScopedAccess(permissions.BasePermission):
    """Writes need a read-write API key or an OAuth token with the `write` scope; reads through OAuth
    need `read`. Session users are limited only by the view's own rules."""

    message = "This credential does not allow this operation (check its scope)."

    def has_permission(self, request: Request, view: Any) -> bool:
        if _unsupported(request, view):
            return True  # let the view answer 405
        safe = request.method in permissions.SAFE_METHODS
        if isinstance(request.auth, ApiKey):
            return safe or request.auth.scope == ApiKeyScope.READ_WRITE
        if isinstance(request.auth, AccessToken):
            return request.auth.allow_scopes(["read"] if safe else ["write"])
        return True


class ReadOrAuthenticatedWrite(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if _unsupported(request, view):
            return True  # let the view answer 405
        return request.method in permissions.SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


def _unsupported(request: Request, view: Any) -> bool:
    return not hasattr(view, (request.method or "").lower())


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """Each API key's own hourly quota."""

    scope = "api_key"

    def allow_request(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return True
        self.rate = f"{request.auth.requests_per_hour}/hour"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        return "1000/hour"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return api_key_usage_cache_key(request.auth.prefix) if isinstance(request.auth, ApiKey) else None


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "fc_<prefix>_<secret>, or Authorization: Api-Key …",
        }


def editor_of(request: Request) -> User:
    """The signed-in editor making the request; anyone else is refused with 403."""
    user = request.user
    if not isinstance(user, User) or not user.is_editor:
        raise exceptions.PermissionDenied("Only editors do this.")
    return user
