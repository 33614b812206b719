import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from research.management.commands._csvinput import read_rows
from research.statistics import StatisticsError, reliability


class Command(BaseCommand):
    help = (
        "Inter-rater reliability of a long-format ratings CSV (one row per target, rater, score): ICC in "
        "the six Shrout-Fleiss forms with 95 % CIs, Krippendorff's alpha, and raters needed for 0.8. JSON out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, dest="path")
        parser.add_argument(
            "--target", default="target", help="column naming the rated item (default: target)"
        )
        parser.add_argument("--rater", default="rater", help="column naming the rater (default: rater)")
        parser.add_argument("--score", default="score", help="column with the numeric score (default: score)")
        parser.add_argument("--level", default="interval", choices=["interval", "ordinal", "nominal"])

    def handle(self, *args: Any, **options: Any) -> None:
        columns = [options["target"], options["rater"], options["score"]]
        rows = read_rows(options["path"], columns)
        ratings = []
        for line, row in enumerate(rows, start=2):
            target, rater, raw = (row[name] for name in columns)
            if not target or not rater:
                raise CommandError(f"line {line}: empty {columns[0] if not target else columns[1]}")
            if raw == "":
                continue  # a missing rating
            try:
                ratings.append((target, rater, float(raw)))
            except ValueError as error:
                raise CommandError(f"line {line}: score {raw!r} is not a number") from error
        try:
            result = reliability(ratings, level=options["level"])
        except StatisticsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result, allow_nan=False))
