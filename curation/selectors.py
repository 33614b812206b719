"""Reads of more than one line: each selector owns its select_related / prefetch_related."""

from django.db.models import Count, Q, QuerySet

from curation.enums import FetchOutcome, ResourceStatus
from curation.models import Resource, Source, Topic


def resource_list_visible() -> QuerySet[Resource]:
    """Visible resources, newest first, with what a listing shows."""
    return (
        Resource.objects.filter(status=ResourceStatus.VISIBLE)
        .select_related("source")
        .prefetch_related("topics")
        .order_by("-published_at", "-id")
    )


def resource_get_visible(*, public_id: str) -> Resource | None:
    return resource_list_visible().filter(public_id=public_id).first()


def source_list_with_counts() -> QuerySet[Source]:
    return (
        Source.objects.annotate(
            resource_count=Count("resources", filter=Q(resources__status=ResourceStatus.VISIBLE))
        )
        .prefetch_related("topics")
        .order_by("title", "id")
    )


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.select_related("parent").order_by("kind", "name")


def harvest_health_summary() -> dict[str, int]:
    """How many sources ended their last fetch with each outcome."""
    rows = Source.objects.values("last_outcome").annotate(n=Count("id"))
    summary = {outcome.value: 0 for outcome in FetchOutcome}
    summary.update({row["last_outcome"]: row["n"] for row in rows})
    return summary


def resource_same_work(*, resource: Resource) -> QuerySet[Resource]:
    """The other visible copies of the same work (an episode cross-posted by several sources)."""
    if not resource.work_key:
        return Resource.objects.none()
    return resource_list_visible().filter(work_key=resource.work_key).exclude(pk=resource.pk)
