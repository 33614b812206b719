import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.impact import SMI_FORMULA_VERSION, SmiInputs, social_media_index
from research.management.commands._csvinput import read_rows


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return number if number >= 0 else None


class Command(BaseCommand):
    help = (
        "Social Media Index (Thoma et al. 2015) for a cohort CSV with columns website, alexa, twitter, facebook "
        "(empty or non-numeric cells mean unavailable). JSON out, SMi rounded to two decimals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, dest="path")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = read_rows(options["path"], ["website", "alexa", "twitter", "facebook"])
        cohort = [
            SmiInputs(
                row["website"], _number(row["alexa"]), _number(row["twitter"]), _number(row["facebook"])
            )
            for row in rows
            if row["website"]
        ]
        if not cohort:
            raise CommandError(f"{options['path']}: no sites in the file")
        scores = social_media_index(cohort)
        sites = [{"website": site.site, "smi": round(scores[site.site], 2)} for site in cohort]
        self.stdout.write(json.dumps({"formula": SMI_FORMULA_VERSION, "sites": sites}))
