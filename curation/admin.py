from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from curation.models import (
    ApiKey,
    Appeal,
    AuditEvent,
    CurationRound,
    Designation,
    Endorsement,
    ExpertProfile,
    FetchAttempt,
    Flag,
    Instrument,
    InstrumentVersion,
    Resource,
    Review,
    Source,
    Tombstone,
    Topic,
    User,
)
from curation.services.apikeys import api_key_revoke
from curation.services.integrity import resource_remove


@admin.register(User)
class CuratorUserAdmin(UserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_staff")
    list_filter = ("role", "is_staff", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("FOAM Curator", {"fields": ("role",)}))  # type: ignore[misc]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin[ExpertProfile]):
    list_display = ("user", "profession", "specialty", "orcid", "verification_status", "decided_at")
    list_filter = ("verification_status",)
    # Decisions go through the verification service (audited), never through a raw edit here.
    readonly_fields = ("verification_status", "decided_by", "decided_at", "decision_reason", "applied_at")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ("name", "kind", "slug", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ("__str__", "kind", "status", "last_outcome", "consecutive_errors", "next_poll_at")
    list_filter = ("kind", "status", "last_outcome")
    search_fields = ("title", "feed_url", "site_url")
    filter_horizontal = ("topics",)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin[Resource]):
    """Deleting here removes through the service: the row stays (its reviews and designations are the
    record), its status becomes removed and a tombstone keeps the next harvest from bringing it back."""

    list_display = ("__str__", "source", "published_at", "status", "liveness")
    list_filter = ("status", "liveness", "source__kind")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("source",)
    filter_horizontal = ("topics",)

    def has_delete_permission(self, request: HttpRequest, obj: Resource | None = None) -> bool:
        return bool(getattr(request.user, "is_editor", False)) and super().has_delete_permission(request, obj)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        """Nothing cascades: removal keeps the row and its reviews (so nothing is 'protected' either)."""
        names = [f"{obj} (removed, with a tombstone)" for obj in objs]
        return names, {"resources": len(names)}, set(), []

    def delete_model(self, request: HttpRequest, obj: Resource) -> None:
        resource_remove(editor=request.user, resource=obj, reason="Deleted in the admin")  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            self.delete_model(request, resource)


@admin.register(FetchAttempt)
class FetchAttemptAdmin(admin.ModelAdmin[FetchAttempt]):
    list_display = ("source", "started_at", "outcome", "http_status", "new_resources", "duration_ms")
    list_filter = ("outcome",)
    raw_id_fields = ("source",)


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin[Tombstone]):
    list_display = ("source", "identity_key", "reason", "created_at")
    raw_id_fields = ("source",)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows changed only by services (audited), never edited by hand here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "reason")


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin[Instrument]):
    list_display = ("name", "slug", "citation")


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("instrument", "version", "total_min", "total_max", "created_at")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "resource", "reviewer", "instrument_version", "status", "total")
    list_filter = ("status", "instrument_version__instrument")


@admin.register(Endorsement)
class EndorsementAdmin(ReadOnlyAdmin):
    list_display = ("resource", "user", "kind", "status", "created_at")
    list_filter = ("kind", "status")


@admin.register(CurationRound)
class CurationRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "instrument_version", "status", "deadline", "published_at")
    list_filter = ("status",)


@admin.register(Designation)
class DesignationAdmin(ReadOnlyAdmin):
    list_display = ("resource", "instrument_version", "label", "mean_total", "review_count", "is_current")
    list_filter = ("is_current", "label")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("resource", "raised_by", "status", "held_for_confidentiality", "created_at")
    list_filter = ("status",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("designation", "appellant", "status", "created_at")
    list_filter = ("status",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are issued on the developer page (the secret is shown once there); here editors see and
    revoke them."""

    list_display = (
        "name",
        "owner",
        "prefix",
        "scope",
        "requests_per_hour",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "owner__username")
    readonly_fields = ("owner", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(owner=request.user, key=key)  # type: ignore[arg-type]
