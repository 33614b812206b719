"""What a credential looks like outside the platform: a PDF certificate, an Open Badges 3.0 credential
(JSON, verified by fetching it from its hosted id), and a review as an ORCID peer-review activity.

fpdf2 is imported only when a PDF is drawn, so web processes that never draw one do not load it."""

import unicodedata
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings

from curation.enums import CredentialKind
from curation.models import Credential, Review

OB3_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
FONT_CANDIDATES = (  # a Unicode font when the system has one; otherwise text is folded to Latin-1
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def verification_path(credential: Credential) -> str:
    return f"/credentials/{credential.code}/"


def certificate_path(credential: Credential) -> str:
    return f"/credentials/{credential.code}/certificate.pdf"


def badge_path(credential: Credential) -> str:
    """The hosted badge: its own `id`."""
    return f"/credentials/{credential.code}/badge.json"


def module_path(public_id: object) -> str:
    return f"/modules/{public_id}/"


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'"})


def _latin1(text: str) -> str:
    """Latin-1 text for the PDF core font: characters it has stay (é, ë, ß), others lose their accents
    (ễ -> e), and what has no Latin form (山田) is dropped."""
    out = []
    for character in unicodedata.normalize("NFKC", text.translate(_QUOTES)):
        if ord(character) < 256:
            out.append(character)
        else:
            out.extend(part for part in unicodedata.normalize("NFKD", character) if ord(part) < 256)
    return "".join(out)


def _font_path() -> str | None:
    configured = getattr(settings, "CERTIFICATE_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def certificate_lines(credential: Credential) -> list[tuple[str, int, str]]:
    """(style, size, text) lines of the certificate, top to bottom."""
    achievement = credential.achievement
    lines = [
        (
            "B",
            26,
            "Certificate of completion"
            if credential.kind == CredentialKind.MODULE
            else "Certificate of peer review",
        )
    ]
    if not credential.is_valid:  # the PDF says what the verification page and the badge say
        lines.append(
            (
                "B",
                16,
                f"REVOKED on {credential.revoked_at:%Y-%m-%d}: this certificate no longer certifies anything.",
            )
        )
    lines.append(("", 13, "This certifies that"))
    lines.append(("B", 22, achievement["recipient"]))
    if credential.kind == CredentialKind.MODULE:
        lines.append(("", 13, "completed the FOAM Curator module"))
        lines.append(("B", 16, achievement["name"]))
        lines.append(("", 12, f"on {achievement['date']}, scoring {achievement['score']:g} %."))
    else:
        lines.append(("", 13, achievement["description"]))
        lines.append(("", 12, "Instruments: " + (", ".join(achievement["instruments"]) or "-")))
        if achievement["rounds"]:
            lines.append(("", 12, "Curation rounds: " + ", ".join(achievement["rounds"])))
    lines.append(("B", 14, f"{achievement['hours']} hours ({achievement['hours_basis']})"))
    lines.append(("", 10, f"Verification code {credential.code}: {absolute(verification_path(credential))}"))
    return lines


def certificate_pdf(credential: Credential) -> bytes:
    """An A4 landscape certificate naming the person, the achievement, the date and the hours, with the
    verification code and URL."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(credential.achievement["name"])
    pdf.set_author("FOAM Curator")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    font = _font_path()
    if font:
        pdf.add_font("Certificate", "", font)
        pdf.add_font("Certificate", "B", font)
    family = "Certificate" if font else "Helvetica"
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(28)
    for style, size, text in certificate_lines(credential):
        pdf.set_font(family, style, size)
        pdf.multi_cell(
            0, size * 0.55, text if font else _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(size * 0.25)
    out = BytesIO()
    pdf.output(out)
    return out.getvalue()


def open_badge(credential: Credential) -> dict[str, Any]:
    """The Open Badges 3.0 `OpenBadgeCredential` for the credential, hosted at its own id."""
    achievement = credential.achievement
    site = absolute("/")
    badge: dict[str, Any] = {
        "@context": OB3_CONTEXTS,
        "id": absolute(badge_path(credential)),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": {"id": site, "type": ["Profile"], "name": "FOAM Curator", "url": site},
        "validFrom": credential.issued_at.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": achievement["recipient"],
                }
            ],
            "achievement": {
                "id": absolute(
                    module_path(achievement["module"])
                    if credential.kind == CredentialKind.MODULE
                    else "/experts/credit/"
                ),
                "type": ["Achievement"],
                "achievementType": "Achievement" if credential.kind == CredentialKind.MODULE else "Award",
                "name": achievement["name"],
                "description": achievement["description"],
                "criteria": {"narrative": achievement["criteria"]},
                "creator": {"id": site, "type": ["Profile"], "name": "FOAM Curator"},
            },
            "creditsEarned": float(achievement["hours"]),
        },
        "evidence": [
            {
                "id": absolute(verification_path(credential)),
                "type": ["Evidence"],
                "name": "Verification page",
                "narrative": f"Hours: {achievement['hours']} ({achievement['hours_basis']}).",
            }
        ],
    }
    if credential.revoked_at is not None:
        badge["validUntil"] = credential.revoked_at.isoformat().replace("+00:00", "Z")
    return badge


def _date_parts(moment: Any) -> dict[str, Any]:
    return {
        "year": {"value": f"{moment.year:04d}"},
        "month": {"value": f"{moment.month:02d}"},
        "day": {"value": f"{moment.day:02d}"},
    }


def orcid_peer_review(review: Review) -> dict[str, Any]:
    """The review as an ORCID API v3.0 `peer-review` activity (what POST /v3.0/{orcid}/peer-review takes).
    The subject is the reviewed resource; no score or comment leaves the platform."""
    resource = review.resource
    resource_url = resource.canonical_url or absolute(f"/resources/{resource.public_id}/")
    return {
        "reviewer-role": "reviewer",
        "review-identifiers": {
            "external-id": [
                {
                    "external-id-type": "source-work-id",
                    "external-id-value": str(review.public_id),
                    "external-id-url": None,
                    "external-id-relationship": "self",
                }
            ]
        },
        "review-url": {"value": absolute(f"/resources/{resource.public_id}/")},
        "review-type": "review",
        "review-completion-date": _date_parts(review.submitted_at),
        "review-group-id": settings.ORCID_REVIEW_GROUP_ID,
        "subject-external-identifier": {
            "external-id-type": "uri",
            "external-id-value": resource_url,
            "external-id-url": {"value": resource_url},
            "external-id-relationship": "self",
        },
        "subject-container-name": {"value": resource.source.title or resource.source.feed_url},
        "subject-type": "other",
        "subject-name": {"title": {"value": resource.title or resource_url}},
        "subject-url": {"value": resource_url},
        "convening-organization": {
            "name": settings.ORCID_ORGANIZATION_NAME,
            "address": {
                "city": settings.ORCID_ORGANIZATION_CITY,
                "country": settings.ORCID_ORGANIZATION_COUNTRY,
            },
        },
    }
