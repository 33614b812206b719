"""What the learning-credit services share: text cleaning and limits, the editor check, codes."""

import secrets

from curation.errors import InvalidInput, NotAllowed
from curation.models import User

TITLE_CHARS = 200
TEXT_CHARS = 4000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed


def new_code(length: int = 12) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def require_editor(user: User) -> None:
    """Modules, credentials' revocation and program directors are the editors' (raises NotAllowed)."""
    if not user.is_editor:
        raise NotAllowed("Only editors do this.")


def clean_text(field: str, text: str, *, limit: int = TEXT_CHARS, required: bool = False) -> str:
    text = (text or "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if required and not text:
        raise InvalidInput(f"The {field} is required.", field_errors={field: ["Required."]})
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field_errors={field: ["Too long."]})
    return text
