from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from config.requests import signed_in, viewer
from curation import selectors
from curation.enums import ACTIVE_ENDORSEMENT_STATUSES, FetchOutcome
from curation.errors import DomainError
from curation.exports import portfolio_csv
from curation.models import Instrument, Topic, User
from curation.search import (
    newest_cursor_decode,
    newest_cursor_encode,
    search_cursor_decode,
    search_cursor_encode,
)
from curation.selectors.collections import (
    collections_containing,
    collections_editorial,
    collections_of,
    is_following,
)
from curation.selectors.credit import modules_with_resource
from curation.selectors.search import resource_related, resource_search, resource_search_page, search_snippets
from curation.selectors.social import resource_social_panel, social_identities_verified, source_social_panel
from curation.services.endorsements import endorsement_put, endorsement_withdraw
from curation.services.metrics import (
    resource_click_record,
    resource_save,
    resource_unsave,
    resource_view_record,
)
from frontend.access import visible_resource_or_404

PAGE_SIZE = 20
_FACET_PARAMS = ("topic", "level", "kind", "designation", "score", "reviewed", "within")
LISTING_COUNT_BOUND = 1000  # the newest-first listing counts this far and then says "more than"
MAX_WITHIN_DAYS = 36_500


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "vetted": selectors.resource_list_vetted(limit=6),
        # Trending is computed by a worker every few minutes (a week of activity) and stored: read here.
        "trending": selectors.resource_list_trending(),
        "resources": selectors.attach_other_publishers(
            list(selectors.resource_list_listed().order_by("-published_at", "-id")[:20])
        ),
        "topics": selectors.specialty_topics(),
        "collections": collections_editorial(limit=6),
    }
    if getattr(request.user, "is_editor", False) and not context["resources"]:
        context["harvest"] = selectors.harvest_summary()
    return render(request, "frontend/home.html", context)


def usage_visitor(request: HttpRequest) -> str:
    """Who counts as one visitor for views and clicks: the session when there is one, else the client
    address with its browser (hashed by the metrics service; the raw value is never stored)."""
    if request.session.session_key:
        return f"session:{request.session.session_key}"
    address = str(request.META.get(settings.CLIENT_IP_META_KEY, "")).split(",")[0].strip()
    return f"address:{address}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"


def resource_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    resource = visible_resource_or_404(public_id)
    resource_view_record(resource_id=resource.pk, visitor=usage_visitor(request))
    user = request.user
    transcript = selectors.resource_transcript(resource=resource)
    context = {
        "transcript": transcript,
        "my_lists": collections_of(user=user) if isinstance(user, User) else [],
        "in_lists": collections_containing(user=user, resource=resource) if isinstance(user, User) else set(),
        "chapters": selectors.resource_chapters(resource=resource),
        "transcript_passages": selectors.transcript_passages(transcript) if transcript else [],
        "endorsed": user.is_authenticated
        and resource.endorsements.filter(user=user).filter(status__in=ACTIVE_ENDORSEMENT_STATUSES).exists(),
        "saved": user.is_authenticated and resource.saves.filter(user=user).exists(),
        "is_owner": user.is_authenticated and resource.source.owners.filter(pk=user.pk).exists(),
        "related": resource_related(resource=resource, candidates=selectors.resource_list_listed(), limit=6),
        "also_published_by": selectors.resource_same_work(resource=resource).select_related("source"),
        "resource": resource,
        "quality": selectors.resource_quality_panel(resource=resource),
        "social": resource_social_panel(resource=resource, limit=5),
        "modules": list(modules_with_resource(resource)[:5]),
        "reviews": selectors.review_list_visible_to(user=request.user, resource=resource),  # type: ignore[arg-type]
        "instruments": Instrument.objects.order_by("name")
        if getattr(user, "is_verified_expert", False)
        else [],
    }
    return render(request, "frontend/resource_detail.html", context)


@ratelimit(key="ip", rate="60/m", block=False)  # type: ignore[untyped-decorator]
def resource_outbound(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record an outbound click (once per visitor per day), then send the reader to the resource at its
    source. Throttled per address: a script replaying the redirect gets 429, not a count."""
    if getattr(request, "limited", False):
        response = render(
            request, "frontend/error.html", {"title": "Too many requests", "status": 429}, status=429
        )
        response["Retry-After"] = "60"
        return response
    resource = visible_resource_or_404(public_id)
    if not resource.canonical_url:
        raise Http404("This resource has no address")
    resource_click_record(resource_id=resource.pk, visitor=usage_visitor(request))
    return HttpResponseRedirect(resource.canonical_url)


def source_list(request: HttpRequest) -> HttpResponse:
    healthy = [outcome.value for outcome in FetchOutcome.successes()]
    return render(
        request, "frontend/source_list.html", {"sources": selectors.source_directory(), "healthy": healthy}
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A topic: its newest resources, the vetted ones first, and feeds to subscribe to."""
    topic = get_object_or_404(Topic, slug=slug)
    resources = selectors.resource_filter(selectors.resource_list_listed(), topic=slug).order_by(
        "-published_at", "-id"
    )[:30]
    vetted = selectors.resource_list_vetted(topic_slug=slug, limit=10)
    context = {
        "topic": topic,
        "resources": resources,
        "vetted": vetted,
        "collections": collections_editorial(topic_slug=slug),
        "following": is_following(user=viewer(request), topic_id=topic.pk),
    }
    return render(request, "frontend/topic_detail.html", context)


def source_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    source = get_object_or_404(selectors.source_list_with_counts(), public_id=public_id)
    context = {
        "source": source,
        "impact": selectors.source_impact_latest(source=source),
        "social": source_social_panel(source=source, limit=5),
        "resources": selectors.resource_list_for_api()
        .filter(source=source)
        .order_by("-published_at", "-id")[:30],
    }
    return render(request, "frontend/source_detail.html", context)


def search(request: HttpRequest) -> HttpResponse:
    """Search with facets. A plain GET form: works without JavaScript, every result page has a URL;
    search.js swaps in the results as the user types (partial=1 renders only the results)."""
    params = request.GET
    query = params.get("q", "").strip()
    resources = selectors.resource_filter(
        selectors.resource_list_listed(),
        topic=params.get("topic", ""),
        kind=params.get("kind", ""),
        designation=params.get("designation", ""),
        reviewed={"yes": True, "no": False}.get(params.get("reviewed", "")),
        min_score=_score_floor(params.get("score", "")),
    )
    if params.get("level"):
        resources = selectors.resource_filter(resources, topic=params["level"])
    if params.get("within", "").isdigit():  # bounded: a hand-edited huge number overflowed timedelta (500)
        days = min(int(params["within"]), MAX_WITHIN_DAYS)
        resources = resources.filter(published_at__gte=timezone.now() - timedelta(days=days))
    if query:  # by relevance, ranked only as far as the page needs; "More results" carries the position
        after = search_cursor_decode(params.get("after", "")) if params.get("after") else None
        found = resource_search_page(resources, query, after=after, limit=PAGE_SIZE + 1)
        results, more = selectors.attach_other_publishers(found[:PAGE_SIZE]), len(found) > PAGE_SIZE
        snippets = search_snippets([r.pk for r in results], query)
        context = {
            "results": [(r, snippets.get(r.pk, "")) for r in results],
            "next_url": _next_url(params, "after", search_cursor_encode(results[-1])) if more else "",
            "continued": bool(after),
        }
    else:  # newest first, a keyset page: "Older" carries the last row's position, so no page is slow
        before = newest_cursor_decode(params.get("before", "")) if params.get("before") else None
        found = selectors.resource_page_newest(resources, before=before, limit=PAGE_SIZE + 1)
        results, more = selectors.attach_other_publishers(found[:PAGE_SIZE]), len(found) > PAGE_SIZE
        total, beyond = selectors.resource_count_bounded(resources, bound=LISTING_COUNT_BOUND)
        context = {
            "results": [(r, "") for r in results],
            "next_url": _next_url(params, "before", newest_cursor_encode(results[-1])) if more else "",
            "continued": bool(before),
            "total": total,
            "total_beyond": beyond,
        }
    narrowed = query or any(params.get(name) for name in _FACET_PARAMS)
    counts = None
    if narrowed and not (params.get("after") or params.get("before")):  # later pages keep the first's counts
        narrowing = {name for name in _FACET_PARAMS if params.get(name)}
        if not query and narrowing == {"topic"}:  # a topic alone: what beat counted (minutes old at most)
            counts = selectors.topic_facet_counts_stored(params["topic"])
        if counts is None:
            counts = selectors.search_facet_counts(resource_search(resources, query) if query else resources)
    context.update({"query": query, "params": params, "facets": selectors.search_facets(), "counts": counts})
    template = "frontend/_search_results.html" if params.get("partial") else "frontend/search.html"
    return render(request, template, context)


def _next_url(params: QueryDict, cursor: str, token: str) -> str:
    """The address of the next keyset page: the same search with the position `token` under `cursor`
    (numbered pages and the partial-render flag dropped)."""
    next_params = params.copy()
    for name in ("partial", "page"):
        next_params.pop(name, None)
    next_params[cursor] = token
    return "?" + next_params.urlencode()


def _score_floor(value: str) -> tuple[str, float] | None:
    try:
        return selectors.score_floor_parse(value) if value else None
    except ValueError:
        return None  # a hand-edited address: ignore the facet rather than fail the page


@login_required
@require_POST
def endorse(request: HttpRequest, public_id: str) -> HttpResponse:
    resource = visible_resource_or_404(public_id)
    try:
        if request.POST.get("action") == "withdraw":
            endorsement_withdraw(user=request.user, resource=resource)  # type: ignore[arg-type]
            messages.info(request, "Your endorsement was withdrawn.")
        else:
            endorsement, _ = endorsement_put(
                user=signed_in(request), resource=resource, note=request.POST.get("note", "")
            )
            messages.success(request, endorsement.hold_reason or "Thank you: your endorsement counts.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("frontend:resource-detail", public_id=resource.public_id)


@login_required
@require_POST
def save(request: HttpRequest, public_id: str) -> HttpResponse:
    resource = visible_resource_or_404(public_id)
    if request.POST.get("action") == "remove":
        resource_unsave(user=request.user, resource=resource)  # type: ignore[arg-type]
        messages.info(request, "Removed from your library.")
    else:
        resource_save(user=request.user, resource=resource)  # type: ignore[arg-type]
        messages.success(request, "Saved to your library.")
    return redirect("frontend:resource-detail", public_id=resource.public_id)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/library.html", selectors.library_for(user=request.user))  # type: ignore[arg-type]


def _verified_expert(public_id: str) -> User:
    expert = get_object_or_404(User, public_id=public_id)
    if not expert.is_verified_expert:
        raise Http404("No such expert")
    return expert


def portfolio(request: HttpRequest, public_id: str) -> HttpResponse:
    """An expert's signed reviews: public, printable (print stylesheet), for promotion and CPD files."""
    expert = _verified_expert(public_id)
    reviews = selectors.reviewer_portfolio(reviewer=expert, viewer=viewer(request))
    context = {"expert": expert, "reviews": reviews, "identities": social_identities_verified(user=expert)}
    return render(request, "frontend/portfolio.html", context)


def portfolio_csv_download(request: HttpRequest, public_id: str) -> HttpResponse:
    expert = _verified_expert(public_id)
    response = HttpResponse(
        portfolio_csv(selectors.reviewer_portfolio(reviewer=expert, viewer=viewer(request))),
        content_type="text/csv",
    )
    response["Content-Disposition"] = f'attachment; filename="review-portfolio-{expert.username}.csv"'
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "frontend/error.html", {"title": "Not available to you", "status": 403}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "frontend/error.html", {"title": "Page not found", "status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request, "frontend/error.html", {"title": "Something went wrong", "status": 500}, status=500
    )


ROBOTS_TXT = """User-agent: *
Disallow: /editor/
Disallow: /reviews/
Disallow: /accounts/
Disallow: /admin/
Disallow: /library/
Disallow: /digest/
Disallow: /api/
Disallow: /credentials/
Disallow: /me/
Disallow: /programs/
Disallow: /modules/attempts/
Disallow: /experts/
Allow: /
"""


def robots_txt(request: HttpRequest) -> HttpResponse:
    """What crawlers may index: the public catalogue, not personal or editorial pages."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
