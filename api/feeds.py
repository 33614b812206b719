"""Curated feeds out: RSS 2.0, Atom and JSON Feed 1.1 of vetted (designated) resources, overall and per
topic, so a learner can subscribe in any reader."""

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from curation.models import Resource, Topic
from curation.selectors import resource_list_vetted

TITLE = "FOAM Curator: vetted resources"


def _topic(slug: str | None) -> Topic | None:
    return get_object_or_404(Topic, slug=slug) if slug else None


def _label(designation: Any) -> str:
    """A designation as the feeds state it: provisional results say so, and every label says how many
    reviews it rests on."""
    prefix = "Provisional: " if designation.provisional else ""
    reviews = f"{designation.review_count} review{'s' if designation.review_count != 1 else ''}"
    if designation.reliability is not None:
        reviews += f", reliability {designation.reliability:.2f}"
    return f"{prefix}{designation.label} ({designation.instrument_version.instrument.name}, {reviews})"


def _description(resource: Resource) -> str:
    labels = ", ".join(_label(d) for d in getattr(resource, "current_designations", []) if d.label)
    return f"{resource.summary}<p><strong>{escape(labels)}</strong> · {escape(str(resource.source))}</p>"


class VettedRss(Feed):  # type: ignore[type-arg]
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, topic: str | None = None) -> Topic | None:
        return _topic(topic)

    def title(self, obj: Topic | None) -> str:
        return f"{TITLE}: {obj.name}" if obj else TITLE

    def link(self, obj: Topic | None) -> str:
        return reverse("frontend:home")

    def description(self, obj: Topic | None) -> str:
        return "Free open-access medical education resources designated by expert peer review."

    def items(self, obj: Topic | None) -> list[Resource]:
        return resource_list_vetted(topic_slug=obj.slug if obj else "")

    def item_title(self, item: Resource) -> str:
        return item.title

    def item_description(self, item: Resource) -> str:
        return _description(item)

    def item_link(self, item: Resource) -> str:
        return reverse("frontend:resource-detail", args=[item.public_id])

    def item_guid(self, item: Resource) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Resource) -> Any:
        return item.published_at

    def item_author_name(self, item: Resource) -> str:
        return ", ".join(item.authors) or str(item.source)

    def item_categories(self, item: Resource) -> list[str]:
        provisional = any(d.provisional for d in getattr(item, "current_designations", []))
        return [topic.name for topic in item.topics.all()] + (["Provisional"] if provisional else [])


class VettedAtom(VettedRss):
    feed_type = Atom1Feed  # type: ignore[assignment]  # a sibling generator class, as Django's own docs do
    subtitle = VettedRss.description


def json_feed(request: HttpRequest, topic: str | None = None) -> JsonResponse:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    subject = _topic(topic)
    home = request.build_absolute_uri(reverse("frontend:home"))
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{TITLE}: {subject.name}" if subject else TITLE,
        "home_page_url": home,
        "feed_url": request.build_absolute_uri(),
        "description": "Free open-access medical education resources designated by expert peer review.",
        "language": "en",
        "items": [
            {
                "id": f"urn:uuid:{resource.public_id}",
                "url": request.build_absolute_uri(
                    reverse("frontend:resource-detail", args=[resource.public_id])
                ),
                "external_url": resource.canonical_url or None,
                "title": resource.title,
                "content_html": _description(resource),
                "date_published": resource.published_at.isoformat() if resource.published_at else None,
                "authors": [{"name": name} for name in resource.authors] or [{"name": str(resource.source)}],
                "tags": [topic.name for topic in resource.topics.all()],
                "_foam_curator": {
                    "provisional": any(d.provisional for d in getattr(resource, "current_designations", [])),
                    "liveness": resource.liveness,
                },
                **(
                    {
                        "attachments": [
                            {
                                "url": resource.enclosure_url,
                                "mime_type": resource.enclosure_type or "audio/mpeg",
                            }
                        ]
                    }
                    if resource.enclosure_url
                    else {}
                ),
            }
            for resource in resource_list_vetted(topic_slug=subject.slug if subject else "")
        ],
    }
    return JsonResponse(feed, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("vetted.rss", VettedRss(), name="feed-rss"),
    path("vetted.atom", VettedAtom(), name="feed-atom"),
    path("vetted.json", json_feed, name="feed-json"),
    path("topics/<slug:topic>.rss", VettedRss(), name="feed-topic-rss"),
    path("topics/<slug:topic>.atom", VettedAtom(), name="feed-topic-atom"),
    path("topics/<slug:topic>.json", json_feed, name="feed-topic-json"),
]
