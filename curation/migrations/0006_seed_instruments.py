"""Seed the published instruments as version 1 data.

`verbatim` is True only where PRODUCT.md gives the item's published wording; everything else is our
paraphrase and is shown with a "wording not verbatim" mark until checked against the paper."""

from django.db import migrations


def numeric(key, label, low, high, verbatim, help_text=""):
    return {
        "key": key,
        "label": label,
        "help": help_text,
        "anchors": {},
        "scale": {"kind": "numeric", "min": low, "max": high},
        "verbatim": verbatim,
    }


def yes_no(key, label, verbatim=False):
    return {
        "key": key,
        "label": label,
        "help": "",
        "anchors": {},
        "scale": {"kind": "yes_no", "min": 0, "max": 1},
        "verbatim": verbatim,
    }


RMETRIQ_ANCHORS = {"0": "Not at all", "1": "Somewhat", "2": "Mostly", "3": "Completely"}

INSTRUMENTS = [
    {
        "slug": "air",
        "name": "ALiEM AIR",
        "citation": "Chan TM et al. The ALiEM Approved Instructional Resources (AIR) series. Ann Emerg Med 2016.",
        "items": [
            numeric(
                "beem",
                "BEEM score",
                1,
                7,
                True,
                "Best Evidence in Emergency Medicine rater score: would this change practice?",
            ),
            numeric("content_accuracy", "Content accuracy", 1, 7, True),
            numeric("educational_utility", "Educational utility", 1, 7, True),
            numeric("evidence_based_medicine", "Evidence-based medicine", 1, 7, True),
            numeric("referenced", "Referenced", 1, 7, True),
        ],
        "thresholds": [
            {"label": "Approved", "min_total": 30},
            {"label": "Honourable mention", "min_total": 27},
        ],
        "total": (5, 35),
    },
    {
        "slug": "air-pro",
        "name": "ALiEM AIR-Pro",
        "citation": "ALiEM AIR-Professional series (senior-resident level).",
        "items": [
            numeric("recency", "Recency", 1, 7, True),
            numeric("content_accuracy", "Content accuracy", 1, 7, True),
            numeric("educational_utility_senior", "Educational utility for the senior resident", 1, 7, True),
            numeric("evidence_based_medicine", "Evidence-based medicine", 1, 7, True),
            numeric("referenced", "Referenced", 1, 7, True),
        ],
        "thresholds": [
            {"label": "Approved", "min_total": 28},
            {"label": "Honourable mention", "min_total": 26},
        ],
        "total": (5, 35),
    },
    {
        "slug": "rmetriq",
        "name": "rMETRIQ",
        "citation": "Colmers-Gray IN et al. The revised METRIQ score. AEM Educ Train 2019.",
        "items": [
            {
                **numeric(
                    "background", "Does the resource give enough background to situate the user?", 0, 3, False
                ),
                "anchors": RMETRIQ_ANCHORS,
            },
            {
                **numeric(
                    "amount",
                    "Is the amount of information appropriate for the resource's length?",
                    0,
                    3,
                    False,
                ),
                "anchors": RMETRIQ_ANCHORS,
            },
            {
                **numeric("writing", "Is the resource well written and formatted?", 0, 3, False),
                "anchors": RMETRIQ_ANCHORS,
            },
            {
                **numeric("references", "Does the resource cite its references?", 0, 3, False),
                "anchors": RMETRIQ_ANCHORS,
            },
            {
                **numeric("authorship", "Are the authors and their credentials identified?", 0, 3, False),
                "anchors": RMETRIQ_ANCHORS,
            },
            {
                **numeric(
                    "review_process", "Was the resource reviewed before or after publication?", 0, 3, False
                ),
                "anchors": RMETRIQ_ANCHORS,
            },
            {
                **numeric("conflicts", "Are conflicts of interest disclosed?", 0, 3, False),
                "anchors": RMETRIQ_ANCHORS,
            },
        ],
        "thresholds": [{"label": "High quality", "min_total": 16}],
        "total": (0, 21),
        "notes": "Item wording paraphrased from the paper's description; confirm against its Table 1.",
    },
    {
        "slug": "gestalt",
        "name": "Gestalt",
        "citation": "Single-item global rating.",
        "items": [numeric("recommend", "Would you recommend this resource to a trainee?", 1, 7, True)],
        "thresholds": [],
        "total": (1, 7),
    },
    {
        "slug": "quality-indicators",
        "name": "Quality indicators (Lin et al.)",
        "citation": "Lin M et al. Quality indicators for blogs and podcasts used in medical education. Postgrad Med J 2015.",
        "items": [
            yes_no("conflicts_listed", "Conflicts of interest are listed"),
            yes_no("author_identity", "The author's identity is clear"),
            yes_no("fact_vs_opinion", "Fact is distinguished from opinion"),
            yes_no("accurate", "The information is accurate"),
            yes_no("references_cited", "References are cited"),
            yes_no("consistent_with_references", "Statements are consistent with the references"),
            yes_no("advertising_distinct", "Advertising is distinct from content"),
            yes_no("date_clear", "The date of publication or last update is clear"),
            yes_no("credentials", "The author's credentials are given"),
            yes_no("professional", "The resource is professionally written"),
            yes_no("purpose_clear", "The purpose or learning objectives are clear"),
            yes_no("unbiased", "The content is free of undisclosed bias"),
            yes_no("feedback", "Readers can give feedback or corrections"),
        ],
        "thresholds": [],
        "total": (0, 13),
        "notes": "13 indicators reaching >= 90 % educator consensus; wording paraphrased, confirm against the paper.",
    },
]


def seed(apps, schema_editor):
    Instrument = apps.get_model("curation", "Instrument")
    InstrumentVersion = apps.get_model("curation", "InstrumentVersion")
    for spec in INSTRUMENTS:
        instrument, _ = Instrument.objects.update_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "citation": spec["citation"]}
        )
        InstrumentVersion.objects.get_or_create(
            instrument=instrument,
            version=1,
            defaults={
                "items": spec["items"],
                "thresholds": spec["thresholds"],
                "total_min": spec["total"][0],
                "total_max": spec["total"][1],
                "notes": spec.get("notes", ""),
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("curation", "InstrumentVersion").objects.filter(version=1, reviews__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("curation", "0005_add_peer_review_models")]
    operations = [migrations.RunPython(seed, unseed)]
