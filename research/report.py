"""The research report: score distributions, reliability against the number of raters, signal
correlations, as SVG plots with the data behind each one as CSV. Used by `manage.py research_report`
and by the research dashboard."""

import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from curation.exports import table_csv
from curation.formulas import spearman_brown
from curation.models import InstrumentVersion, ResearchResult, Resource
from curation.selectors import (
    RESEARCH_RELIABILITY_KEY,
    RESEARCH_SECTION_PREFIX,
    research_inputs_fingerprint,
    reviews_public,
)
from research.analysis import reliability_by_instrument_and_round, reliability_overview, signal_validity

RATER_COUNTS = list(range(1, 21))


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _not_enough_data(axis: Any, title: str, what: str) -> None:
    """An empty plot says so in words instead of drawing empty axes."""
    axis.set_axis_off()
    axis.set_title(title)
    axis.text(
        0.5,
        0.5,
        f"Not enough data yet: {what}",
        ha="center",
        va="center",
        wrap=True,
        transform=axis.transAxes,
        fontsize="medium",
        color="#444444",
    )


def score_distributions() -> tuple[list[list[Any]], str]:
    """How many counted reviews gave each total, per instrument version (counts, not one row per
    review: the data stays small however many reviews there are)."""
    rows = [
        [slug, version, total, count]
        for slug, version, total, count in reviews_public()
        .filter(total__isnull=False)
        .values_list("instrument_version__instrument__slug", "instrument_version__version", "total")
        .annotate(count=Count("id"))
        .order_by("instrument_version__instrument__slug", "instrument_version__version", "total")
    ]
    figure, axis = plt.subplots(figsize=(7, 3.5))
    by_instrument: dict[str, tuple[list[float], list[int]]] = {}
    for slug, version, total, count in rows:
        totals, counts = by_instrument.setdefault(f"{slug} v{version}", ([], []))
        totals.append(float(total))
        counts.append(count)
    for label, (totals, counts) in sorted(by_instrument.items()):
        axis.hist(totals, weights=counts, bins=15, alpha=0.6, label=f"{label} (n={sum(counts)})")
    if not by_instrument:
        _not_enough_data(axis, "Score distributions", "no published review yet.")
        return rows, _svg(figure)
    axis.set_xlabel("review total")
    axis.set_ylabel("reviews")
    axis.set_title("Score distributions")
    axis.legend(fontsize="small")
    return rows, _svg(figure)


def reliability_curves(reliabilities: list[dict[str, Any]]) -> tuple[list[list[Any]], str]:
    rows: list[list[Any]] = []
    figure, axis = plt.subplots(figsize=(7, 3.5))
    for entry in reliabilities:
        if not entry["scope"].startswith("instrument:") or "icc" not in entry:
            continue
        single = entry.get("single_rater_icc")
        if single is None or single <= 0:
            continue
        curve = [spearman_brown(single, k) for k in RATER_COUNTS]
        rows += [[entry["scope"], k, round(value, 4)] for k, value in zip(RATER_COUNTS, curve, strict=True)]
        axis.plot(
            RATER_COUNTS, curve, marker="o", markersize=3, label=entry["scope"].removeprefix("instrument:")
        )
    if not rows:
        _not_enough_data(
            axis,
            "Reliability against number of raters",
            "an instrument needs several resources each rated by two or more reviewers.",
        )
        return rows, _svg(figure)
    axis.axhline(0.8, color="grey", linestyle="--", linewidth=1)
    axis.set_xlabel("number of raters")
    axis.set_ylabel("reliability of the mean")
    axis.set_ylim(0, 1)
    axis.set_title("Reliability against number of raters (Spearman-Brown)")
    axis.legend(fontsize="small")
    return rows, _svg(figure)


def correlation_chart(validity: dict[str, Any]) -> tuple[list[list[Any]], str]:
    table = validity["predictors"]["all"]
    rows = [[row["signal"], row["rho"], *(row["ci95"] or [None, None]), row["n"]] for row in table]
    figure, axis = plt.subplots(figsize=(7, 3.5))
    shown = [row for row in table if row["rho"] is not None]
    if not shown:
        _not_enough_data(
            axis,
            "Which signal tracks expert consensus?",
            "correlations need reviewed resources with endorsements or clicks.",
        )
        return rows, _svg(figure)
    axis.barh(
        [row["signal"] for row in shown],
        [row["rho"] for row in shown],
        xerr=[[row["rho"] - row["ci95"][0] for row in shown], [row["ci95"][1] - row["rho"] for row in shown]],
        color="#0b5cad",
    )
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_xlim(-1, 1)
    axis.set_xlabel("Spearman rho with expert consensus (95 % CI)")
    axis.set_title("Which signal tracks expert consensus?")
    return rows, _svg(figure)


def best_signal_chart(validity: dict[str, Any]) -> tuple[list[list[Any]], str]:
    """Per group (all, each source kind, each topic): the best predictor of expert consensus, the
    runner-up, Zou's CI for the difference, and the verdict in words; plotted as a forest plot."""
    rows = []
    for group, best in validity["best"].items():
        comparison = best["comparison"] or {}
        ci = comparison.get("ci95") or [None, None]
        rows.append(
            [
                group,
                best["best"],
                best["runner_up"],
                comparison.get("difference"),
                *ci,
                comparison.get("n"),
                best["verdict"],
            ]
        )
    shown = [row for row in rows if row[3] is not None and row[4] is not None]
    figure, axis = plt.subplots(figsize=(7, max(2.5, 0.4 * len(shown) + 1.5)))
    if not shown:
        _not_enough_data(
            axis, "Best signal against the runner-up", "comparing signals needs reviewed resources."
        )
        return rows, _svg(figure)
    labels = [f"{row[0]}: {row[1]} vs {row[2]}" for row in shown]
    axis.errorbar(
        [row[3] for row in shown],
        range(len(shown)),
        xerr=[[row[3] - row[4] for row in shown], [row[5] - row[3] for row in shown]],
        fmt="o",
        color="#0b5cad",
    )
    axis.set_yticks(range(len(shown)), labels, fontsize="small")
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_xlabel("difference in |rho| with expert consensus (95 % CI, Zou)")
    axis.set_title("Does the best signal beat the runner-up?")
    figure.tight_layout()
    return rows, _svg(figure)


SECTIONS = {  # name: (title, CSV header)
    "score-distributions": ("Score distributions", ["instrument", "version", "total", "reviews"]),
    "reliability-vs-raters": ("Reliability against the number of raters", ["scope", "raters", "reliability"]),
    "signal-correlations": (
        "Signal correlations with expert consensus",
        ["signal", "rho", "ci_low", "ci_high", "n"],
    ),
    "best-signal": (
        "Which signal best predicts expert consensus (overall, by source kind, by topic)",
        ["group", "best", "runner_up", "difference", "ci_low", "ci_high", "n", "verdict"],
    ),
}


def report_section(
    name: str, reliabilities: list[dict[str, Any]] | None = None, validity: dict[str, Any] | None = None
) -> tuple[list[list[Any]], str]:
    """One plot of the report, by name: its data rows and its SVG."""
    if name == "score-distributions":
        return score_distributions()
    if name == "reliability-vs-raters":
        return reliability_curves(
            reliabilities if reliabilities is not None else reliability_by_instrument_and_round()
        )
    if name == "signal-correlations":
        return correlation_chart(validity or signal_validity(Resource.objects.all()))
    if name == "best-signal":
        return best_signal_chart(validity or signal_validity(Resource.objects.all()))
    raise KeyError(name)


def build_report(out: Path) -> dict[str, Any]:
    """Write index.html, three SVG plots and their CSV data into `out`. Returns a summary."""
    out.mkdir(parents=True, exist_ok=True)
    reliabilities = reliability_by_instrument_and_round()
    validity = signal_validity(Resource.objects.all())
    sections = [
        (
            "score-distributions",
            SECTIONS["score-distributions"][0],
            SECTIONS["score-distributions"][1],
            score_distributions(),
        ),
        ("reliability-vs-raters", *SECTIONS["reliability-vs-raters"], reliability_curves(reliabilities)),
        ("signal-correlations", *SECTIONS["signal-correlations"], correlation_chart(validity)),
        ("best-signal", *SECTIONS["best-signal"], best_signal_chart(validity)),
    ]
    parts = []
    for slug, title, header, (rows, svg) in sections:
        (out / f"{slug}.svg").write_text(svg, encoding="utf-8")
        (out / f"{slug}.csv").write_text(table_csv(header, rows), encoding="utf-8")
        parts.append(
            f'<section><h2>{html.escape(title)}</h2><img src="{slug}.svg" alt="{html.escape(title)} plot">'
            f'<p><a href="{slug}.csv">The data behind this plot (CSV, {len(rows)} rows)</a></p></section>'
        )
    (out / "reliability.json").write_text(
        json.dumps(reliabilities, allow_nan=False, indent=1), encoding="utf-8"
    )
    (out / "validity.json").write_text(json.dumps(validity, allow_nan=False, indent=1), encoding="utf-8")
    instruments = ", ".join(str(v) for v in InstrumentVersion.objects.select_related("instrument"))
    (out / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>FOAM Curator research report</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}img{max-width:100%}</style>"
        f"</head><body><main><h1>FOAM Curator research report</h1><p>Instruments: {html.escape(instruments)}. "
        f"Resources analysed: {validity['n_resources']}. Full results: <a href='reliability.json'>reliability.json</a>, "
        f"<a href='validity.json'>validity.json</a>.</p><p><strong>Which signal best predicts expert consensus?</strong> "
        f"{html.escape(validity['best']['all']['verdict'])}</p>{''.join(parts)}</main></body></html>",
        encoding="utf-8",
    )
    return {
        "out": str(out),
        "files": sorted(p.name for p in out.iterdir()),
        "resources": validity["n_resources"],
    }


def research_results_refresh(*, force: bool = False) -> dict[str, Any]:
    """Compute the dashboard (reliability overview, each section's rows and plot) and store it for the
    pages, unless the public reviews and published rounds are unchanged since the stored results
    (`force` recomputes anyway: the nightly run, since endorsements and clicks move too)."""
    inputs = research_inputs_fingerprint()
    stored = (
        ResearchResult.objects.filter(key=RESEARCH_RELIABILITY_KEY).values_list("inputs", flat=True).first()
    )
    if not force and stored == inputs:
        return {"refreshed": False, "inputs": inputs}
    reliabilities = reliability_overview()
    results: dict[str, tuple[Any, str]] = {RESEARCH_RELIABILITY_KEY: (reliabilities, "")}
    validity = signal_validity(Resource.objects.all())
    for name, (title, header) in SECTIONS.items():
        rows, svg = report_section(name, reliabilities, validity)
        results[f"{RESEARCH_SECTION_PREFIX}{name}"] = ({"title": title, "header": header, "rows": rows}, svg)
    now = timezone.now()
    with transaction.atomic():
        for key, (data, svg) in results.items():
            ResearchResult.objects.update_or_create(
                key=key, defaults={"data": data, "svg": svg, "inputs": inputs, "computed_at": now}
            )
    return {"refreshed": True, "inputs": inputs, "results": len(results)}
