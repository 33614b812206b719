from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render

from curation import selectors
from curation.exports import portfolio_csv
from curation.models import User
from curation.services.metrics import resource_click_record, resource_view_record


def home(request: HttpRequest) -> HttpResponse:
    resources = selectors.resource_list_visible()[:30]
    return render(request, "frontend/home.html", {"resources": resources})


def resource_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    resource = selectors.resource_get_visible(public_id=public_id)
    if resource is None:
        raise Http404("No such resource")
    resource_view_record(resource_id=resource.pk)
    context = {
        "resource": resource,
        "quality": selectors.resource_quality_panel(resource=resource),
        "reviews": selectors.review_list_visible_to(user=request.user, resource=resource),  # type: ignore[arg-type]
    }
    return render(request, "frontend/resource_detail.html", context)


def resource_outbound(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record an outbound click, then send the reader to the resource at its source."""
    resource = selectors.resource_get_visible(public_id=public_id)
    if resource is None or not resource.canonical_url:
        raise Http404("No such resource")
    resource_click_record(resource_id=resource.pk)
    return HttpResponseRedirect(resource.canonical_url)


def source_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/source_list.html", {"sources": selectors.source_list_with_counts()})


def _verified_expert(public_id: str) -> User:
    expert = get_object_or_404(User, public_id=public_id)
    if not expert.is_verified_expert:
        raise Http404("No such expert")
    return expert


def portfolio(request: HttpRequest, public_id: str) -> HttpResponse:
    """An expert's signed reviews: public, printable (print stylesheet), for promotion and CPD files."""
    expert = _verified_expert(public_id)
    reviews = selectors.reviewer_portfolio(reviewer=expert)
    return render(request, "frontend/portfolio.html", {"expert": expert, "reviews": reviews})


def portfolio_csv_download(request: HttpRequest, public_id: str) -> HttpResponse:
    expert = _verified_expert(public_id)
    response = HttpResponse(
        portfolio_csv(selectors.reviewer_portfolio(reviewer=expert)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="review-portfolio-{expert.username}.csv"'
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "frontend/error.html", {"title": "Page not found", "status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request, "frontend/error.html", {"title": "Something went wrong", "status": 500}, status=500
    )
