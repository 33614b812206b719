"""The research dashboard: reliability per instrument and round, the raters-needed curve, signal
correlations and score distributions, as SVG plots with the numbers behind each one a click away.
Computing them reads every review, so results are cached for an hour."""

from typing import Any

from csp.decorators import csp_exempt
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from curation.services.research import reliability_overview
from frontend.research_report import SECTIONS, csv_text, report_section

CACHE_SECONDS = 3600  # the nightly snapshots change once a day; the plots are costly to draw


def _reliabilities() -> list[dict[str, Any]]:
    return cache.get_or_set("research:reliability", reliability_overview, CACHE_SECONDS) or []


def _section(name: str) -> tuple[list[list[Any]], str]:
    if name not in SECTIONS:
        raise Http404("No such plot")
    found: tuple[list[list[Any]], str] | None = cache.get_or_set(
        f"research:section:{name}", lambda: report_section(name, _reliabilities()), CACHE_SECONDS
    )
    return found if found is not None else report_section(name, _reliabilities())


def dashboard(request: HttpRequest) -> HttpResponse:
    sections = [{"name": name, "title": title} for name, (title, _) in SECTIONS.items()]
    return render(
        request, "frontend/research.html", {"reliabilities": _reliabilities(), "sections": sections}
    )


@csp_exempt()  # type: ignore[arg-type]  # a matplotlib drawing with its own <style>; shown as an image, where no script runs
def plot_svg(request: HttpRequest, name: str) -> HttpResponse:
    response = HttpResponse(_section(name)[1], content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def plot_csv(request: HttpRequest, name: str) -> HttpResponse:
    rows, _ = _section(name)
    response = HttpResponse(csv_text(SECTIONS[name][1], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
