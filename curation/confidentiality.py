"""Confidentiality screen for free text (reviews, endorsement notes, appeals, reflections): finds what
resembles a patient identifier, so the text is held for moderation and the writer is told why.

Teaching text mentions ages, doses, dates of trials, eponyms (Brugada, Wells) and authors' names all
the time; the patterns aim at identifiers: a date or year of birth, record, health-service, national
and insurance numbers, contact details, street addresses and postcodes, social-media handles in a
clinical context, person names in a clinical context (a first-name gazetteer, gender-guesser's list
of ~40,000 names, tells names from other capitalised words; eponyms and authors are left alone), and
"<age> … from <place> … <date>" narratives. Nothing is downloaded at run time.

Measured on the labelled set in tests/curation/confidentiality_samples.py: see the README."""

import functools
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


_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|"
    "OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_STREET_TYPES = (
    r"Street|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Close|Crescent|Cres|Way|Boulevard|Blvd|Place|Court|Terrace|"
    r"Gardens|Grove|Parade|Highway|Hwy|Mews|Row|Square|Walk|St\.?(?!\s+[A-Z])"
)
_TIME_ANCHOR = (
    rf"(?:{_DATE}|\b(?:last|this|on|yesterday|tonight)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|"
    rf"sunday|night|weekend|week|morning|evening)\b|\byesterday\b|\b(?:in|on|during)\s+{_MONTHS}\b|"
    rf"\b{_MONTHS}\s+(?:19|20)\d{{2}}\b|\bin\s+(?:19|20)\d{{2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b|"
    rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b)"
)
_CLINICAL_CONTEXT = re.compile(
    r"\b(?:patient|pt|presented|presents|presenting|admitted|admission|year[- ]old|y/?o|complain\w*|brought in|"
    r"ambulance|triage|resus|ward|bay|discharged|intubated|died|passed away|arrested|GCS|BP|sats|history of|PMH|"
    r"allerg\w*|husband|wife|daughter|son|mother|father|family|relatives|next of kin|bed|ED|ER|A&E|ICU|"
    r"clinic|GP|surgery|his|her)\b",
    re.I,
)
# Capitalised words that the first-name gazetteer also knows but that are rarely names in clinical prose.
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "if",
        "in",
        "on",
        "at",
        "to",
        "of",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "it",
        "this",
        "that",
        "then",
        "than",
        "these",
        "those",
        "her",
        "his",
        "our",
        "their",
        "my",
        "your",
        "we",
        "he",
        "she",
        "they",
        "i",
        "you",
        "may",
        "will",
        "june",
        "april",
        "august",
        "rose",
        "faith",
        "hope",
        "grace",
        "joy",
        "mark",
        "bill",
        "pat",
        "sunny",
        "summer",
        "autumn",
        "dawn",
        "eve",
        "amber",
        "ruby",
        "crystal",
        "ivy",
        "lily",
        "holly",
        "iris",
        "heather",
        "olive",
        "jade",
        "page",
        "art",
        "chase",
        "guy",
        "hunter",
        "ray",
        "rich",
        "sky",
        "star",
        "storm",
        "miles",
        "lane",
        "dean",
        "major",
        "king",
        "prince",
        "earl",
        "duke",
        "baby",
        "early",
        "late",
        "sign",
        "signs",
        "score",
        "rule",
        "criteria",
        "syndrome",
        "disease",
        "test",
        "trial",
        "study",
        "group",
        "team",
        "emergency",
        "department",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "july",
        "september",
        "october",
        "november",
        "december",
    ]
)
_EPONYM_AFTER = re.compile(
    r"^(?:'s?|\u2019s?)?\s*(?:syndrome|sign|score|criteria|disease|palsy|triad|rule|rules|phenomenon|reflex|test|"
    r"manoeuvre|maneuver|procedure|fracture|classification|scale|law|pattern|wave|waves|node|nodes|block|"
    r"operation|formula|equation|method|position|line|lines|technique|tube|catheter|blade|needle|criterion)\b",
    re.I,
)
_AUTHOR_BEFORE = re.compile(
    r"(?:\bby|\bfrom|\bwith|\bhost(?:s|ed)?|\bauthors?|\bDr\.?|\bProf\.?|\bProfessor|\bSir|\bDame|\bLord|\bcites?|according to|"
    r"\bpodcast|\bblog|\band|\bthanks to|\bcredit to|\bfeaturing|\bft\.?)\s*$",
    re.I,
)
_AUTHOR_AFTER = re.compile(
    r"^(?:'s?|\u2019s?)?\s*(?:et al|and colleagues|blog|podcast|post|talk|lecture|paper|review|article|video|"
    r"discuss\w*|explain\w*|argu\w*|review\w*|writ\w*|wrote|cover\w*|talk\w*|recommend\w*|teach\w*|"
    r"describ\w*|summari[sz]\w*|show\w*|suggest\w*|demonstrat\w*|walk\w*|interview\w*|\(\d{4}\)|,\s*\d{4})",
    re.I,
)
# Zero-width, so that every capitalised word is tried as a first name ("When Daniel Nguyen ...").
_CAPITALISED_PAIR = re.compile(r"\b(?=(([A-Z][a-z]{1,20})(?:\s+([A-Z][a-z'\u2019-]{1,30}))?))")
_NAME_INTRODUCER = re.compile(
    r"\b(?:named|called|name is|name was|known as|patient|pt|resident|client|(?:Mr|Mrs|Ms|Miss|Mx)\.?)\s+$",
    re.I,
)


@functools.cache
def _first_names() -> object:
    """gender-guesser's gazetteer of first names (loaded once, from the installed package)."""
    from gender_guesser.detector import Detector  # a data file of ~40k names: loaded only when needed

    return Detector(case_sensitive=False)


def _is_first_name(word: str) -> bool:
    if word.lower() in _NOT_NAMES or len(word) < 2:
        return False
    return _first_names().get_gender(word) != "unknown"  # type: ignore[attr-defined]


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?;])\s+|\n+", text) if part.strip()]


def _names_in_clinical_context(text: str) -> bool:
    """A person named in a sentence about a patient: an honorific with a surname (Mrs Jones), a name
    introduced as the patient's (named Sarah, patient Tom), a name next to an age (Sarah, 45; a 7-year-old
    called Jack), or a first name with a surname in a clinical sentence. Eponyms (Brugada syndrome,
    Wells score) and authors (by Scott Weingart, Salim Rezaie explains) are not names of patients."""
    if re.search(
        r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+[A-Z][a-z'\u2019-]+\b(?!\s*(?:'s?|\u2019s?)?\s*(?:syndrome|sign|disease))",
        text,
    ):
        return True
    for sentence in _sentences(text):
        clinical = bool(_CLINICAL_CONTEXT.search(sentence))
        for match in _CAPITALISED_PAIR.finditer(sentence):
            whole, first, surname = match.group(1), match.group(2), match.group(3)
            if not _is_first_name(first):
                continue
            before, after = sentence[: match.start()], sentence[match.start() + len(whole) :]
            if _EPONYM_AFTER.match(after) or _AUTHOR_BEFORE.search(before) or _AUTHOR_AFTER.match(after):
                continue
            if _NAME_INTRODUCER.search(before):
                return True
            if re.match(
                r"^,?\s*\(?\s*(?:a|an|aged|age)?\s*\d{1,3}\s*(?:[- ](?:year|yr|month)s?[- ]old|y/?o|yrs?\b|[MF]\b|,|\))",
                after,
            ):
                return True
            if re.search(r"\d{1,3}[- ](?:year|yr|month)s?[- ]old\s+(?:\w+\s+){0,2}$", before):
                return True
            if clinical and surname and not _is_first_name(surname) and surname.lower() not in _NOT_NAMES:
                at_start = not before.strip()
                if not at_start or re.match(
                    r"^\s+(?:was|is|had|has|presented|presents|came|arrived|died|collapsed|said|told)\b",
                    after,
                ):
                    return True
            if clinical and re.match(
                r"^\s*(?:was|is|had|has|presented|presents|came|arrived|died|collapsed|told|'s (?:mother|father|wife|husband|son|daughter|family))\b",
                after,
            ):
                return True
    return False


_PATTERNS += [
    (
        "a year of birth",
        re.compile(
            r"\b(?:born(?:\s+in)?|year of birth|YOB|b\.)\s*:?\s*(?:19|20)\d{2}\b(?!\s*(?:trial|study|guideline|guidelines|review|paper))",
            re.I,
        ),
    ),
    ("a national or insurance number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    (
        "a national or insurance number",
        re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"),
    ),
    (
        "a national or insurance number",
        re.compile(
            # Labels in any case; the number itself in capitals and digits ("NICE guideline NG51" is not one).
            r"\b(?i:(?:social security|SSN|national insurance|NI|passport|driver'?s? licen[cs]e|medicaid|tax file|SIN|PPS)"
            r"\b\s*(?:number|no\.?|#|id)?|(?:insurance|policy|member|insured)\s*(?:number|no\.?|#|id))"
            r"\s*[:#]?\s*(?=[A-Z0-9 -]*\d)[A-Z0-9][A-Z0-9 -]{4,18}[A-Z0-9]\b",
        ),
    ),
    (
        "a street address",
        re.compile(rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][a-z'\u2019]+\s+){{1,3}}(?:{_STREET_TYPES})\b"),
    ),
    ("a postcode", re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s+\d[ABD-HJLNP-UW-Z]{2}\b")),
    (
        "a postcode",
        re.compile(
            rf"\b(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b|\b(?:zip|postcode|post code|postal code)\s*:?\s*[A-Z0-9]{{3,5}}(?:[\s-][A-Z0-9]{{3,4}})?\b",
            re.I,
        ),
    ),
    (
        "a social-media handle",
        re.compile(
            r"(?:\b(?:patient|pt|his|her|their|mother|father|son|daughter|wife|husband|family|relative)\w*\b[^.\n]{0,60}?"
            r"(?<![\w.])@[A-Za-z0-9_.]{2,30}\b|(?<![\w.])@[A-Za-z0-9_.]{2,30}\b[^.\n]{0,60}?\b(?:patient|pt|presented|admitted|"
            r"year[- ]old|his mother|her mother|family)\b)",
            re.I,
        ),
    ),
    (
        "a social-media handle",
        re.compile(  # a named account on a platform, in a sentence about a patient
            r"\b(?:patient|pt|his|her|their|mother|father|son|daughter|wife|husband|family)\b[^.\n]{0,80}?"
            r"\b(?:facebook|instagram|tiktok|twitter|snapchat|linkedin|youtube)\s+(?:as|under|handle|username|account|profile)\b"
            r"\s*[:@]?\s*[A-Za-z0-9_][\w.]{2,30}",
            re.I,
        ),
    ),
    (
        "a patient narrative with an age, a place and a date",
        re.compile(
            rf"\b\d{{1,3}}[- ]?(?:year|yr)s?[- ]old\b[^.\n]{{0,80}}?\bfrom\s+(?:the\s+)?[A-Z][\w'\u2019-]+[\s\S]{{0,200}}?{_TIME_ANCHOR}"
            rf"|{_TIME_ANCHOR}[^.\n]{{0,120}}?\b\d{{1,3}}[- ]?(?:year|yr)s?[- ]old\b[^.\n]{{0,80}}?\bfrom\s+(?:the\s+)?[A-Z][\w'\u2019-]+",
            re.I,
        ),
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
        text = text or ""
        for reason, pattern in _PATTERNS:
            if reason not in reasons and pattern.search(text):
                reasons.append(reason)
        if "a person's name in a clinical context" not in reasons and _names_in_clinical_context(text):
            reasons.append("a person's name in a clinical context")
    return ScreenResult(tuple(reasons))
