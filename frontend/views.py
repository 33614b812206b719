from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from curation import selectors


def home(request: HttpRequest) -> HttpResponse:
    resources = selectors.resource_list_visible()[:30]
    return render(request, "frontend/home.html", {"resources": resources})


def resource_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    resource = selectors.resource_get_visible(public_id=public_id)
    if resource is None:
        raise Http404("No such resource")
    return render(request, "frontend/resource_detail.html", {"resource": resource})


def source_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/source_list.html", {"sources": selectors.source_list_with_counts()})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "frontend/error.html", {"title": "Page not found", "status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request, "frontend/error.html", {"title": "Something went wrong", "status": 500}, status=500
    )
