"""Social media pages: the editors' social page (what is followed, how its harvests went, the
"discussed, not catalogued" queue with one-click add, requests to be forgotten) and an expert's own
social identities. Thin views: a form, one service, a redirect with a message."""

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.requests import signed_in
from curation.enums import SocialPlatform, SocialSourceKind
from curation.errors import DomainError
from curation.models import SocialIdentity, SocialSource
from curation.selectors.social import (
    discussed_not_catalogued,
    social_attempts_recent,
    social_identities_for,
    social_sources_for_editor,
)
from curation.services.social import (
    discussed_site_add,
    social_forget,
    social_identity_link,
    social_identity_remove,
    social_source_register,
    social_source_set_status,
)
from frontend.access import editor_required, expert_required


class SocialSourceForm(forms.Form):
    platform = forms.ChoiceField(choices=SocialPlatform.choices)
    kind = forms.ChoiceField(choices=SocialSourceKind.choices, label="Follow")
    query = forms.CharField(max_length=300, label="Hashtag, search text or account handle")
    instance = forms.CharField(
        max_length=300,
        required=False,
        label="Instance",
        help_text="Mastodon: the server, such as https://med-mastodon.com. Bluesky: leave empty.",
    )
    source_public_id = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ForgetForm(forms.Form):
    handle = forms.CharField(max_length=300, label="Author's handle")
    platform = forms.ChoiceField(choices=[("", "Both platforms"), *SocialPlatform.choices], required=False)


class IdentityForm(forms.Form):
    platform = forms.ChoiceField(choices=SocialPlatform.choices)
    handle = forms.CharField(
        max_length=300, label="Handle", help_text="name@instance on Mastodon, name.domain on Bluesky"
    )


def _uuid_or_none(text: str) -> uuid.UUID | None:
    """A hand-edited id is a 404, never a 500."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label or field}: {' '.join(map(str, problems))}")


@editor_required
def editor_social(request: HttpRequest) -> HttpResponse:
    context = {
        "social_sources": social_sources_for_editor(),
        "attempts": social_attempts_recent(limit=20),
        "discussed": discussed_not_catalogued(limit=50),
        "source_form": SocialSourceForm(),
        "forget_form": ForgetForm(),
    }
    return render(request, "frontend/social/editor.html", context)


@editor_required
@require_POST
def editor_social_action(request: HttpRequest) -> HttpResponse:
    """One endpoint for the page's forms: follow, pause/resume, add a discussed site, forget."""
    editor, action = signed_in(request), request.POST.get("action", "")
    try:
        if action == "follow":
            form = SocialSourceForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return redirect("frontend:editor-social")
            data = {**form.cleaned_data, "source_public_id": str(form.cleaned_data["source_public_id"] or "")}
            followed, created = social_source_register(editor=editor, **data)
            messages.success(request, f"{'Now following' if created else 'Already following'} {followed}.")
        elif action in ("pause", "resume"):
            followed = get_object_or_404(
                SocialSource, public_id=_uuid_or_none(request.POST.get("social_source", ""))
            )
            social_source_set_status(editor=editor, social_source=followed, active=action == "resume")
            messages.success(request, f"{followed}: {'resumed' if action == 'resume' else 'paused'}.")
        elif action == "add-site":
            pending = discussed_site_add(editor=editor, site=request.POST.get("site", ""))
            messages.success(
                request, f"Looking for the feed at {pending.url}: see Harvest health for the result."
            )
        elif action == "forget":
            forget_form = ForgetForm(request.POST)
            if not forget_form.is_valid():
                _form_errors(request, forget_form)
                return redirect("frontend:editor-social")
            forget = social_forget(editor=editor, **forget_form.cleaned_data)
            messages.success(
                request,
                f"Forgot {forget.handle}: {forget.mentions_deleted} mention(s) deleted; none will be stored again.",
            )
        else:
            messages.error(request, "Unknown action.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("frontend:editor-social")


@expert_required
def expert_social(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if request.method == "POST":
        form = IdentityForm(request.POST)
        if form.is_valid():
            try:
                identity = social_identity_link(user=user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, f"{identity.handle}: we will check your profile within five minutes."
                )
                return redirect("frontend:expert-social")
        else:
            _form_errors(request, form)
    else:
        form = IdentityForm()
    context = {"identities": social_identities_for(user=user), "form": form}
    return render(request, "frontend/social/expert.html", context)


@expert_required
@require_POST
def expert_social_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in(request)
    identity = get_object_or_404(SocialIdentity, public_id=public_id, user=user)
    social_identity_remove(user=user, identity=identity)
    messages.success(request, f"{identity.handle} is no longer linked.")
    return redirect("frontend:expert-social")
