"""A local stand-in for ORCID's member API v3.0 (peer-review activities), on a loopback address: it
checks the bearer token per iD and the fields ORCID requires of a peer-review, answers 201 with the
activity's Location (its put-code), 409 for a review it already holds from the same source-work-id, and
lists what it holds."""

import re
from typing import Any

from tests.socialserver import Answer, LoopbackServer

REQUIRED = (
    "reviewer-role",
    "review-identifiers",
    "review-type",
    "review-completion-date",
    "review-group-id",
    "subject-external-identifier",
    "convening-organization",
)


class OrcidServer(LoopbackServer):
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.tokens: dict[str, str] = {}  # ORCID iD -> the access token it accepts
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.fail_next: int | None = None  # answer this status once (a 503, say)
        super().__init__(host)

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        match = re.fullmatch(r"/v3\.0/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/peer-reviews?", path)
        if match is None:
            return Answer(404, {"error": "not found"})
        orcid = match.group(1)
        if method == "GET":
            return Answer(200, {"group": self.records.get(orcid, [])})
        if self.fail_next is not None:
            status, self.fail_next = self.fail_next, None
            return Answer(status, {"error": "unavailable"})
        lowered = {name.lower(): value for name, value in headers.items()}
        if lowered.get("authorization") != f"Bearer {self.tokens.get(orcid)}":
            return Answer(401, {"error": "invalid_token", "error_description": "Invalid access token"})
        if "application/vnd.orcid+json" not in lowered.get("content-type", ""):
            return Answer(415, {"developer-message": "Unsupported media type"})
        missing = [name for name in REQUIRED if not isinstance(body, dict) or not body.get(name)]
        organization = (body or {}).get("convening-organization") or {}
        if missing or not organization.get("name") or not (organization.get("address") or {}).get("country"):
            return Answer(400, {"response-code": 400, "developer-message": f"missing {missing}"})
        identifier = body["review-identifiers"]["external-id"][0]["external-id-value"]
        held = self.records.setdefault(orcid, [])
        if any(r["review-identifiers"]["external-id"][0]["external-id-value"] == identifier for r in held):
            return Answer(409, {"response-code": 409, "developer-message": "duplicate external id"})
        put_code = str(1000 + sum(len(r) for r in self.records.values()))
        held.append({**body, "put-code": put_code})
        return Answer(201, b"", {"Location": f"{self.base}/v3.0/{orcid}/peer-review/{put_code}"})
