"""Validators for identifiers the domain stores."""

import re

from django.core.exceptions import ValidationError

_ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ORCID_URL_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")


def orcid_normalise(value: str) -> str:
    """Strip the URL form (`https://orcid.org/0000-...`) and surrounding space; upper-case the X."""
    value = value.strip()
    for prefix in _ORCID_URL_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value.upper()


def orcid_checksum_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 15 digits of an ORCID iD."""
    total = 0
    for char in base_digits:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def validate_orcid(value: str) -> None:
    """Accept `0000-0002-1825-0097` (bare form, as stored); reject bad format or check digit."""
    if not _ORCID_RE.match(value):
        raise ValidationError(
            "An ORCID iD has the form 0000-0000-0000-000X (16 characters in four groups).",
            code="orcid_format",
        )
    digits = value.replace("-", "")
    if orcid_checksum_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            "This ORCID iD's check digit is wrong; please copy it again.", code="orcid_checksum"
        )
