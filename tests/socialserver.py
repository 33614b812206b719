"""Local stand-ins for the social web, on loopback addresses only: a Mastodon instance and the Bluesky
AppView (with a PDS for sessions and posting), answering from JSON written to their documented schemas
(Mastodon's Status/Account entities and Link/X-RateLimit headers; Bluesky's postView, cursors and
RateLimit headers), plus plain web hosts for shorteners, redirects and pages.

Each server binds its own 127.0.0.x address, so links carry distinct host names as they do online."""

import http.server
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.feedserver import _QuietServer


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class LoopbackServer:
    """A tiny HTTP/1.1 server on one loopback address whose answers come from `self.answer()`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without this, Nagle's algorithm and the
                # client's delayed ACK add ~40 ms to every keep-alive answer (no real server waits so)
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                self._reply(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = None
                self._reply(body)

            def _reply(self, body: Any) -> None:
                outer.requests.append((self.command, self.path, dict(self.headers.items())))
                answer = outer.answer(self.command, self.path, dict(self.headers.items()), body)
                payload = answer.body
                if not isinstance(payload, bytes):
                    payload = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = _QuietServer((host, 0), Handler)
        self.host, self.port = host, self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        return Answer(404, {"error": "not found"})

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class WebServer(LoopbackServer):
    """Web pages and redirects: `pages` maps a path to HTML, `redirects` a path to a Location."""

    def __init__(self, host: str) -> None:
        self.pages: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        super().__init__(host)

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        if path in self.redirects:
            return Answer(301, b"", {"Location": self.redirects[path]})
        if path in self.pages:
            return Answer(200, self.pages[path].encode(), {"Content-Type": "text/html"})
        return Answer(404, b"not found", {"Content-Type": "text/plain"})

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def mastodon_status(
    status_id: int,
    *,
    instance: str,
    acct: str,
    content: str,
    tags: list[str] = (),  # type: ignore[assignment]
    card_url: str = "",
    created_at: datetime | None = None,
    visibility: str = "public",
    favourites: int = 0,
    reblogs: int = 0,
    replies: int = 0,
) -> dict[str, Any]:
    """A Status entity as Mastodon 4.x serialises it (the fields we read, and the usual others)."""
    created = (
        (created_at or datetime.now(UTC) - timedelta(minutes=status_id)).isoformat().replace("+00:00", "Z")
    )
    username = acct.split("@")[0]
    return {
        "id": str(status_id),
        "created_at": created,
        "in_reply_to_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": "en",
        "uri": f"{instance}/users/{username}/statuses/{status_id}",
        "url": f"{instance}/@{username}/{status_id}",
        "replies_count": replies,
        "reblogs_count": reblogs,
        "favourites_count": favourites,
        "content": content,
        "reblog": None,
        "account": {
            "id": str(abs(hash(acct)) % 10**9),
            "username": username,
            "acct": acct,
            "url": f"{instance}/@{username}",
            "followers_count": 10,
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": tag, "url": f"{instance}/tags/{tag}"} for tag in tags],
        "emojis": [],
        "card": {"url": card_url, "title": "A card", "type": "link"} if card_url else None,
        "poll": None,
    }


class MastodonServer(LoopbackServer):
    """One Mastodon instance: hashtag timelines, accounts and their statuses, single statuses; paging
    by max_id/since_id with a Link header; X-RateLimit-* on every answer; scripted 429s."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.statuses: list[dict[str, Any]] = []
        self.accounts: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.rate_limit_remaining = 300
        self.throttle_next: int = 0  # answer this many requests with 429 + Retry-After
        self.retry_after = "120"
        self.published: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> status
        super().__init__(host)

    def add(self, status_id: int, acct: str, content: str, **fields: Any) -> dict[str, Any]:
        status = mastodon_status(status_id, instance=self.base, acct=acct, content=content, **fields)
        self.statuses.append(status)
        return status

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        parts = urlsplit(path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if self.throttle_next:
            self.throttle_next -= 1
            return Answer(429, {"error": "Too many requests"}, {"Retry-After": self.retry_after})
        self.rate_limit_remaining = max(self.rate_limit_remaining - 1, 0)
        limits = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(self.rate_limit_remaining),
            "X-RateLimit-Reset": (datetime.now(UTC) + timedelta(minutes=5))
            .isoformat()
            .replace("+00:00", "Z"),
        }
        segments = parts.path.strip("/").split("/")
        if method == "POST" and parts.path == "/api/v1/statuses":
            return self._publish(headers, body, limits)
        if segments[:4] == ["api", "v1", "timelines", "tag"] and len(segments) == 5:
            chosen = [
                s for s in self._live() if segments[4].lower() in {t["name"].lower() for t in s["tags"]}
            ]
            return self._page(parts.path, chosen, query, limits)
        if parts.path == "/api/v1/accounts/lookup":
            account = self.accounts.get(query.get("acct", "").lower())
            return (
                Answer(200, account, limits)
                if account
                else Answer(404, {"error": "Record not found"}, limits)
            )
        if segments[:3] == ["api", "v1", "accounts"] and len(segments) == 5 and segments[4] == "statuses":
            account = next((a for a in self.accounts.values() if a["id"] == segments[3]), None)
            if account is None:
                return Answer(404, {"error": "Record not found"}, limits)
            chosen = [s for s in self._live() if s["account"]["acct"].lower() == account["acct"].lower()]
            return self._page(parts.path, chosen, query, limits)
        if segments[:3] == ["api", "v1", "statuses"] and len(segments) == 4:
            status = next((s for s in self._live() if s["id"] == segments[3]), None)
            return (
                Answer(200, status, limits) if status else Answer(404, {"error": "Record not found"}, limits)
            )
        return Answer(404, {"error": "not found"}, limits)

    def _live(self) -> list[dict[str, Any]]:
        return sorted(
            (s for s in self.statuses if s["id"] not in self.deleted),
            key=lambda s: int(s["id"]),
            reverse=True,
        )

    def _page(
        self, path: str, chosen: list[dict[str, Any]], query: dict[str, str], limits: dict[str, str]
    ) -> Answer:
        limit = min(int(query.get("limit", "20")), 40)
        if "max_id" in query:
            chosen = [s for s in chosen if int(s["id"]) < int(query["max_id"])]
        if "since_id" in query:
            chosen = [s for s in chosen if int(s["id"]) > int(query["since_id"])]
        page = chosen[:limit]
        headers = dict(limits)
        if page:
            links = [f'<{self.base}{path}?{urlencode({"max_id": page[-1]["id"]})}>; rel="next"']
            links.append(f'<{self.base}{path}?{urlencode({"min_id": page[0]["id"]})}>; rel="prev"')
            headers["Link"] = ", ".join(links)
        return Answer(200, page, headers)

    def _publish(self, headers: dict[str, str], body: Any, limits: dict[str, str]) -> Answer:
        if headers.get("Authorization") != "Bearer publish-token":
            return Answer(401, {"error": "The access token is invalid"}, limits)
        key = headers.get("Idempotency-Key", "")
        if key not in self.published:
            status_id = 900000 + len(self.published)
            self.published[key] = mastodon_status(
                status_id, instance=self.base, acct="foamcurator", content=str(body.get("status", ""))
            )
        return Answer(200, self.published[key], limits)


def bluesky_post(
    rkey: str,
    *,
    handle: str,
    text: str,
    links: list[str] = (),  # type: ignore[assignment]
    tags: list[str] = (),  # type: ignore[assignment]
    external: str = "",
    created_at: datetime | None = None,
    likes: int = 0,
    reposts: int = 0,
    replies: int = 0,
    quotes: int = 0,
) -> dict[str, Any]:
    """An app.bsky.feed.defs#postView with link and tag facets (byte offsets into the text) and an
    optional external embed, as the AppView returns it."""
    created = (
        (created_at or datetime.now(UTC) - timedelta(minutes=len(rkey))).isoformat().replace("+00:00", "Z")
    )
    full = text
    facets = []
    for link in links:
        start = len(full.encode()) + 1
        full = f"{full} {link}"
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + len(link.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
            }
        )
    for tag in tags:
        start = len(full.encode()) + 1
        full = f"{full} #{tag}"
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + len(tag.encode()) + 1},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    did = f"did:plc:{abs(hash(handle)) % 10**12:012d}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": full,
        "createdAt": created,
        "facets": facets,
        "langs": ["en"],
    }
    view: dict[str, Any] = {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}",
        "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0]},
        "record": record,
        "replyCount": replies,
        "repostCount": reposts,
        "likeCount": likes,
        "quoteCount": quotes,
        "indexedAt": created,
        "labels": [],
    }
    if external:
        record["embed"] = {
            "$type": "app.bsky.embed.external",
            "external": {"uri": external, "title": "t", "description": ""},
        }
        view["embed"] = {
            "$type": "app.bsky.embed.external#view",
            "external": {"uri": external, "title": "t", "description": ""},
        }
    return view


class BlueskyServer(LoopbackServer):
    """The AppView (searchPosts, getAuthorFeed, getProfile, getPosts) with cursor paging and RateLimit
    headers, and a PDS (createSession, createRecord). `require_session` makes searchPosts refuse
    unauthenticated reads (403), as the public AppView sometimes does."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.posts: list[dict[str, Any]] = []
        self.profiles: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.require_session = False
        self.page_size_cap = 100
        self.records: dict[str, dict[str, Any]] = {}
        super().__init__(host)

    def add(self, rkey: str, handle: str, text: str, **fields: Any) -> dict[str, Any]:
        post = bluesky_post(rkey, handle=handle, text=text, **fields)
        self.posts.append(post)
        return post

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        one = {key: values[0] for key, values in query.items()}
        limits = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "2999",
            "RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 300),
        }
        authed = headers.get("Authorization") == "Bearer session-jwt"
        name = parts.path.removeprefix("/xrpc/")
        handlers: dict[str, Callable[[], Answer]] = {
            "com.atproto.server.createSession": lambda: self._session(body),
            "com.atproto.repo.createRecord": lambda: self._create_record(authed, body),
            "app.bsky.feed.searchPosts": lambda: self._search(one, authed),
            "app.bsky.feed.getAuthorFeed": lambda: self._author_feed(one),
            "app.bsky.actor.getProfile": lambda: self._profile(one),
            "app.bsky.feed.getPosts": lambda: Answer(
                200, {"posts": [p for p in self._live() if p["uri"] in set(query.get("uris", []))]}
            ),
        }
        answer = handlers[name]() if name in handlers else Answer(404, {"error": "MethodNotImplemented"})
        answer.headers = {**limits, **answer.headers}
        return answer

    def _live(self) -> list[dict[str, Any]]:
        return sorted(
            (p for p in self.posts if p["uri"] not in self.deleted),
            key=lambda p: p["indexedAt"],
            reverse=True,
        )

    def _paged(self, items: list[Any], query: dict[str, str], key: str) -> Answer:
        offset = int(query.get("cursor") or 0)
        limit = min(int(query.get("limit", "25")), self.page_size_cap)
        page = items[offset : offset + limit]
        answer: dict[str, Any] = {key: page}
        if offset + limit < len(items):
            answer["cursor"] = str(offset + limit)
        return Answer(200, answer)

    def _search(self, query: dict[str, str], authed: bool) -> Answer:
        if self.require_session and not authed:
            return Answer(403, {"error": "Forbidden", "message": "search requires authentication"})
        if not query.get("q"):
            return Answer(
                400, {"error": "InvalidRequest", "message": 'Error: Params must have the property "q"'}
            )
        tag = query.get("tag", "").lower()
        text = query["q"].lower()
        chosen = []
        for post in self._live():
            tags = {
                f["tag"].lower()
                for facet in post["record"].get("facets", [])
                for f in facet["features"]
                if f["$type"].endswith("#tag")
            }
            matches = (tag and tag in tags) or (not tag and text in post["record"]["text"].lower())
            if matches and (not query.get("since") or post["indexedAt"] >= query["since"]):
                chosen.append(post)
        return self._paged(chosen, query, "posts")

    def _author_feed(self, query: dict[str, str]) -> Answer:
        actor = query.get("actor", "").lower()
        if actor not in self.profiles:
            return Answer(400, {"error": "InvalidRequest", "message": "Profile not found"})
        return self._paged(
            [{"post": p} for p in self._live() if p["author"]["handle"] == actor], query, "feed"
        )

    def _profile(self, query: dict[str, str]) -> Answer:
        profile = self.profiles.get(query.get("actor", "").lower())
        return (
            Answer(200, profile)
            if profile
            else Answer(400, {"error": "InvalidRequest", "message": "Profile not found"})
        )

    def _session(self, body: Any) -> Answer:
        if body == {"identifier": "curator.example", "password": "app-password"}:
            return Answer(
                200,
                {
                    "accessJwt": "session-jwt",
                    "refreshJwt": "r",
                    "did": "did:plc:curator",
                    "handle": "curator.example",
                },
            )
        return Answer(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})

    def _create_record(self, authed: bool, body: Any) -> Answer:
        if not authed:
            return Answer(401, {"error": "AuthenticationRequired"})
        rkey = body.get("rkey", "")
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{rkey}"
        if rkey in self.records:
            return Answer(400, {"error": "InvalidRequest", "message": "Record already exists"})
        self.records[rkey] = body
        return Answer(200, {"uri": uri, "cid": "bafyreipublished"})
