"""Confidentiality screen for free text (reviews, endorsement notes, appeals): finds what resembles a
patient identifier, so the text is held for moderation and the writer is told why. Pure functions.

Teaching text mentions ages, doses, dates of trials and phone-free numbers all the time; the patterns
aim at identifiers (a date of birth, a record or health-service number, contact details, an
"<age>-year-old … on <date>" narrative), not at clinical numbers."""

import re
from dataclasses import dataclass

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = rf"(?:\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?\s+\d{{4}}\b|\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "a date of birth",
        re.compile(rf"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*{_DATE}", re.I),
    ),
    (
        "a medical record or hospital number",
        re.compile(
            r"\b(?:mrn|medical record(?: number| no\.?)?|hospital (?:number|no\.?)|patient (?:id|number|no\.?)|chart (?:number|no\.?))\s*[:#]?\s*[A-Z0-9-]{4,}\b",
            re.I,
        ),
    ),
    (
        "a health-service number",
        re.compile(
            r"\b(?:nhs|chi|medicare|health card|ohip|ihi|phn)\s*(?:number|no\.?|#)?\s*[:#]?\s*\d[\d\s-]{7,14}\d\b",
            re.I,
        ),
    ),
    (
        "a health-service number",
        re.compile(r"\b\d{3}[ -]\d{3}[ -]\d{4}\b(?=[^\n]{0,40}\b(?:nhs|patient)\b)", re.I),
    ),
    ("a phone number", re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\b\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}\b")),
    ("a phone number", re.compile(r"\b0\d{3,4}[\s-]?\d{6,7}\b|\+\d{1,3}[\s\d().-]{8,}\d")),
    ("an e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    (
        "a patient narrative with an age and a date",
        re.compile(
            rf"\b\d{{1,3}}[- ](?:year|yr|month|week|day)s?[- ]old\b[^.\n]{{0,120}}?\b(?:on|at|admitted|seen|presented)\b[^.\n]{{0,40}}?{_DATE}",
            re.I,
        ),
    ),
    (
        "a patient narrative with an age and a date",
        re.compile(rf"{_DATE}[^.\n]{{0,80}}?\b\d{{1,3}}[- ](?:year|yr)s?[- ]old\b", re.I),
    ),
]


@dataclass(frozen=True)
class ScreenResult:
    reasons: tuple[str, ...]

    @property
    def held(self) -> bool:
        return bool(self.reasons)

    @property
    def message(self) -> str:
        if not self.reasons:
            return ""
        return (
            "Held for an editor because it seems to contain "
            + ", ".join(self.reasons)
            + ". Please remove anything that could identify a patient; an editor will review it."
        )


def screen_text(*texts: str) -> ScreenResult:
    """Reasons (deduplicated, in order) why the texts resemble patient identifiers."""
    reasons: list[str] = []
    for text in texts:
        for reason, pattern in _PATTERNS:
            if reason not in reasons and pattern.search(text or ""):
                reasons.append(reason)
    return ScreenResult(tuple(reasons))
