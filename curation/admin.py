from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from curation.models import ExpertProfile, FetchAttempt, Resource, Source, Tombstone, Topic, User


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
    list_display = ("__str__", "source", "published_at", "status")
    list_filter = ("status", "source__kind")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("source",)
    filter_horizontal = ("topics",)


@admin.register(FetchAttempt)
class FetchAttemptAdmin(admin.ModelAdmin[FetchAttempt]):
    list_display = ("source", "started_at", "outcome", "http_status", "new_resources", "duration_ms")
    list_filter = ("outcome",)
    raw_id_fields = ("source",)


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin[Tombstone]):
    list_display = ("source", "identity_key", "reason", "created_at")
    raw_id_fields = ("source",)
