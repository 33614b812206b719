"""The research dashboard: reliability per instrument and round, the raters-needed curve, signal
correlations and score distributions, as SVG plots with the numbers behind each one a click away.
The research worker computes them (nightly, and within minutes of a newly published review or round)
and stores them; these views only read what it stored, so no web process carries the statistics
stack."""

from csp.decorators import csp_exempt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from curation.exports import table_csv
from curation.models import ResearchResult
from curation.selectors import research_results, research_section

CACHE_SECONDS = 300  # the research worker looks for new reviews and rounds every few minutes


def _section(name: str) -> ResearchResult:
    section = research_section(name=name)
    if section is None:
        raise Http404("No such plot")
    return section


def dashboard(request: HttpRequest) -> HttpResponse:
    results = research_results()
    sections = [
        {"name": name, "title": result.data.get("title", name)}
        for name, result in results["sections"].items()
    ]
    return render(
        request,
        "frontend/research.html",
        {
            "reliabilities": results["reliabilities"],
            "sections": sections,
            "computed_at": results["computed_at"],
            "verdicts": best.data.get("rows", []) if (best := results["sections"].get("best-signal")) else [],
        },
    )


@csp_exempt()  # type: ignore[arg-type]  # a matplotlib drawing with its own <style>; shown as an image, where no script runs
def plot_svg(request: HttpRequest, name: str) -> HttpResponse:
    response = HttpResponse(_section(name).svg, content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def plot_csv(request: HttpRequest, name: str) -> HttpResponse:
    data = _section(name).data
    response = HttpResponse(
        table_csv(data.get("header", []), data.get("rows", [])), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
