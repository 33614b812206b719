"""Self-service for app developers: OAuth 2 applications registered by any signed-in user (their API
keys are in services.apikeys). No superuser and no Python shell needed."""

from urllib.parse import urlsplit

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from curation.errors import InvalidInput, NotAllowed
from curation.models import User
from curation.services.audit import audit_record

CLIENT_TYPES = (Application.CLIENT_PUBLIC, Application.CLIENT_CONFIDENTIAL)
MAX_APPS_PER_USER = 20


def _redirect_uris(text: str) -> list[str]:
    uris = [uri for uri in text.split() if uri]
    if not uris:
        raise InvalidInput("Give at least one redirect URI.", field_errors={"redirect_uris": ["Required."]})
    for uri in uris:
        try:
            parts = urlsplit(uri)
            hostname = parts.hostname
        except ValueError:  # a malformed address ("https://[::1/cb")
            parts, hostname = urlsplit(""), None
        local = hostname in ("localhost", "127.0.0.1", "::1")
        if (
            not hostname
            or parts.fragment
            or not (parts.scheme == "https" or (parts.scheme == "http" and local))
        ):
            raise InvalidInput(
                f"{uri!r} is not allowed: use https:// (http:// only for localhost), without a #fragment.",
                field_errors={"redirect_uris": ["https only, no fragment."]},
            )
    return uris


def oauth_app_register(
    *, owner: User, name: str, redirect_uris: str, client_type: str
) -> tuple[Application, str]:
    """Register an OAuth 2 application (authorisation code + PKCE) owned by `owner`. Returns the app and,
    for a confidential client, its secret, shown only now (stored hashed). Raises NotAllowed for an
    inactive account or too many apps, InvalidInput for a bad name, type or redirect URI. Audited."""
    if not owner.is_authenticated or not owner.is_active:
        raise NotAllowed("Sign in to register an application.")
    if not name.strip() or len(name) > 255:
        raise InvalidInput(
            "Name the application.", field_errors={"name": ["Required, up to 255 characters."]}
        )
    if client_type not in CLIENT_TYPES:
        raise InvalidInput("Choose public or confidential.", field_errors={"client_type": ["Unknown type."]})
    uris = _redirect_uris(redirect_uris)
    if Application.objects.filter(user=owner).count() >= MAX_APPS_PER_USER:
        raise NotAllowed(f"You already have {MAX_APPS_PER_USER} applications; delete one first.")
    secret = generate_client_secret() if client_type == Application.CLIENT_CONFIDENTIAL else ""
    with transaction.atomic():
        app = Application.objects.create(
            user=owner,
            name=name.strip(),
            client_type=client_type,
            redirect_uris=" ".join(uris),
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=False,
            algorithm="",
        )
        audit_record(
            actor=owner,
            action="oauth_app.registered",
            target=owner,
            after={"client_id": app.client_id, "name": app.name, "type": client_type},
        )
    return app, secret


def oauth_app_delete(*, owner: User, app: Application) -> None:
    """Delete an application (its tokens stop working). Only its owner or an editor."""
    if app.user_id != owner.pk and not owner.is_editor:
        raise NotAllowed("Only the application's owner deletes it.")
    with transaction.atomic():
        audit_record(
            actor=owner, action="oauth_app.deleted", target=owner, before={"client_id": app.client_id}
        )
        app.delete()
