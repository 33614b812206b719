"""Reading a user's CSV file for the research commands, with errors a person can act on."""

import csv
from pathlib import Path

from django.core.management.base import CommandError


def read_rows(path: str, required: list[str]) -> list[dict[str, str]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise CommandError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: not a UTF-8 text file") from error
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror})") from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise CommandError(f"{path}: the file is empty (expected a header row with {', '.join(required)})")
    missing = [name for name in required if name not in header]
    if missing:
        raise CommandError(
            f"{path}: missing column(s) {', '.join(missing)}; the header has {', '.join(header)}"
        )
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
