"""Outbound HTTP for harvesting: one guarded fetch with the limits every harvester needs.

- http/https only; every redirect hop re-checked; at most HARVEST_MAX_REDIRECTS hops;
- SSRF guard at connect time: the name is resolved by us, every address must be outside the IANA
  special-purpose tables (workers.harvest.addresses), and the address actually connected to is
  checked again; only host:port endpoints named in HARVEST_ALLOWED_PRIVATE_HOSTS may be non-public
  (tests, the offline demo);
- connect timeout, a total deadline for the whole exchange (a slow drip cannot hold a worker), and a
  cap on the body size after decompression, counted while streaming.
"""

import contextlib
import email.utils
import functools
import hashlib
import re
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings

from curation.enums import FetchOutcome
from workers.harvest.addresses import address_is_public, allowed_endpoints

PERMANENT_REDIRECTS = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
_MAX_AGE_RE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)
_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)


class BlockedAddressError(Exception):
    """The URL's host resolves to, or connected to, an address harvesting must never reach."""


class FetchError(Exception):
    def __init__(self, outcome: FetchOutcome, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.status = status


def host_is_allowed_private(host: str, port: int, allowed: Iterable[str]) -> bool:
    return (host.strip("[]").lower(), port) in allowed_endpoints(allowed)


class GuardedNetworkBackend(httpcore.SyncBackend):
    """Resolves names itself and connects only to permitted addresses."""

    def __init__(self, allowed_private_hosts: Iterable[str]) -> None:
        self.allowed_private_hosts = list(allowed_private_hosts)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        private_ok = host_is_allowed_private(host, port, self.allowed_private_hosts)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error.strerror}") from error
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not private_ok:
            blocked = [address for address in addresses if not address_is_public(address)]
            if blocked:
                raise BlockedAddressError(f"{host} resolves to a non-public address ({', '.join(blocked)})")
        last_error: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                last_error = error
                continue
            peer = stream.get_extra_info("server_addr")
            if not private_ok and (peer is None or not address_is_public(str(peer[0]))):
                stream.close()
                raise BlockedAddressError(f"{host} connected to a non-public address ({peer})")
            return stream
        raise httpcore.ConnectError(str(last_error) if last_error else f"no address for {host}")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~15 ms: do it once per process."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allowed_private_hosts: Iterable[str]) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=10,
            network_backend=GuardedNetworkBackend(allowed_private_hosts),
        )


@dataclass
class FetchResult:
    outcome: FetchOutcome
    url: str
    final_url: str = ""
    status: int | None = None
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    permanent_redirect_url: str = ""
    retry_after_seconds: int | None = None
    max_age_seconds: int | None = None
    error: str = ""
    duration_ms: int = 0
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The response headers an API client reads (pagination and rate limits), lower-case names.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest() if self.body else ""


def build_client(allowed_private_hosts: Iterable[str] | None = None) -> httpx.Client:
    allowed = (
        settings.HARVEST_ALLOWED_PRIVATE_HOSTS if allowed_private_hosts is None else allowed_private_hosts
    )
    return httpx.Client(
        transport=GuardedTransport(allowed),
        follow_redirects=False,
        headers={"User-Agent": settings.HARVEST_USER_AGENT, "Accept": _FEED_ACCEPT},
        trust_env=False,
    )


_SHARED_CLIENTS: dict[tuple[str, ...], httpx.Client] = {}


def shared_client() -> httpx.Client:
    """This worker process's keep-alive client (a new TCP and TLS connection per feed costs more than the
    fetch of a 304). Keyed by the allowlist, so a changed setting gets a client of its own. Every new
    connection still passes the guard; a pooled one goes back to the host:port already checked."""
    key = tuple(settings.HARVEST_ALLOWED_PRIVATE_HOSTS)
    client = _SHARED_CLIENTS.get(key)
    if client is None:
        client = _SHARED_CLIENTS[key] = build_client(key)
    return client


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = _FEED_ACCEPT,
    client: httpx.Client | None = None,
    max_bytes: int | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """GET `url` with conditional headers, following at most HARVEST_MAX_REDIRECTS redirects, and
    return what happened; a body over `max_bytes` (default HARVEST_MAX_BYTES) is TOO_LARGE. Never raises
    for network or HTTP trouble: the outcome says it."""
    started = time.monotonic()
    result = FetchResult(outcome=FetchOutcome.OK, url=url)
    own_client = client is None
    http = client or build_client()
    try:
        limit = settings.HARVEST_MAX_BYTES if max_bytes is None else max_bytes
        _fetch_following_redirects(
            http, url, etag, last_modified, accept, started, result, limit, headers or {}
        )
    except FetchError as error:
        result.outcome, result.error = error.outcome, str(error)
        result.status = error.status if error.status is not None else result.status
        result.body = b""
    except BlockedAddressError as error:
        result.outcome, result.error, result.body = FetchOutcome.BLOCKED_ADDRESS, str(error), b""
    except httpx.TimeoutException as error:
        result.outcome, result.error, result.body = FetchOutcome.TIMEOUT, f"timed out: {error}", b""
    except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        result.outcome, result.body = FetchOutcome.CONNECTION_ERROR, b""
        result.error = f"connection failed: {error or type(error).__name__}"
    finally:
        result.duration_ms = int((time.monotonic() - started) * 1000)
        if own_client:
            http.close()
    return result


def _fetch_following_redirects(
    http: httpx.Client,
    url: str,
    etag: str,
    last_modified: str,
    accept: str,
    started: float,
    result: FetchResult,
    limit: int,
    extra_headers: dict[str, str],
) -> None:
    deadline = started + settings.HARVEST_TOTAL_TIMEOUT
    all_permanent = True
    current = url
    for hop in range(settings.HARVEST_MAX_REDIRECTS + 1):
        _check_scheme(current)
        headers = {"Accept": accept}
        if hop == 0 or _same_host(url, current):  # credentials never follow a redirect elsewhere
            headers.update(extra_headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        remaining = max(deadline - time.monotonic(), 0.1)
        timeout = httpx.Timeout(
            connect=min(settings.HARVEST_CONNECT_TIMEOUT, remaining),
            read=remaining,
            write=remaining,
            pool=remaining,
        )
        with http.stream("GET", current, headers=headers, timeout=timeout) as response:
            result.status = response.status_code
            if response.status_code in REDIRECTS:
                location = response.headers.get("location", "")
                if not location:
                    raise FetchError(
                        FetchOutcome.HTTP_ERROR, "redirect without a Location header", response.status_code
                    )
                all_permanent = all_permanent and response.status_code in PERMANENT_REDIRECTS
                current = urljoin(current, location.strip())
                _release(response)
                continue
            result.final_url = current
            if hop and all_permanent:
                result.permanent_redirect_url = current
            _read_response(response, result, deadline, limit)
            return
    raise FetchError(
        FetchOutcome.TOO_MANY_REDIRECTS,
        f"more than {settings.HARVEST_MAX_REDIRECTS} redirects",
        result.status,
    )


def _same_host(first: str, second: str) -> bool:
    return urlsplit(first).netloc.lower() == urlsplit(second).netloc.lower()


_KEPT_HEADERS = (
    "link",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
)


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            FetchOutcome.INVALID_URL, f"only http and https URLs are fetched (got {url[:200]!r})"
        )


def _read_response(response: httpx.Response, result: FetchResult, deadline: float, limit: int) -> None:
    status = response.status_code
    result.headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    result.retry_after_seconds = parse_retry_after(response.headers.get("retry-after", ""))
    match = _MAX_AGE_RE.search(response.headers.get("cache-control", ""))
    result.max_age_seconds = int(match.group(1)) if match else None
    if status == 304:
        result.outcome = FetchOutcome.NOT_MODIFIED
        _release(response)
        return
    if status >= 400 or status < 200:  # an error page: not read, but the connection is kept
        _release(response)
    if status == 410:
        raise FetchError(FetchOutcome.GONE, "410 Gone", status)
    if status == 429:
        raise FetchError(FetchOutcome.RATE_LIMITED, "429 Too Many Requests", status)
    if status >= 400 or status < 200:
        raise FetchError(FetchOutcome.HTTP_ERROR, f"HTTP {status} {response.reason_phrase}".strip(), status)
    result.etag = response.headers.get("etag", "")
    result.last_modified = response.headers.get("last-modified", "")
    result.content_type = response.headers.get("content-type", "")
    result.body = read_limited(response, deadline, limit)
    result.outcome = FetchOutcome.OK


_SMALL_BODY = 64 * 1024


def _release(response: httpx.Response) -> None:
    """Read the small body of a response we do not use (304, redirect, error page), so its keep-alive
    connection goes back to the pool: closing a response with its body unread closes the connection,
    and the next feed on that host pays a new TCP (and TLS) handshake. Large or unsized bodies are left
    unread (the connection is then closed)."""
    declared = response.headers.get("content-length", "")
    if status_has_no_body(response.status_code) or (declared.isdigit() and int(declared) <= _SMALL_BODY):
        with contextlib.suppress(httpx.HTTPError):  # then the connection is dropped, as it would have been
            response.read()


def status_has_no_body(status: int) -> bool:
    return status == 304 or status == 204 or 100 <= status < 200


def read_limited(response: httpx.Response, deadline: float, limit: int | None = None) -> bytes:
    """Read the decompressed body, stopping at the size cap (default HARVEST_MAX_BYTES) or the deadline."""
    limit = settings.HARVEST_MAX_BYTES if limit is None else limit
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and not response.headers.get("content-encoding"):
        raise FetchError(
            FetchOutcome.TOO_LARGE, f"body of {declared} bytes exceeds {limit}", response.status_code
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # unbuffered: the deadline is checked at every network read
        size += len(chunk)
        if size > limit:
            raise FetchError(FetchOutcome.TOO_LARGE, f"body exceeds {limit} bytes", response.status_code)
        if time.monotonic() > deadline:
            raise FetchError(
                FetchOutcome.TIMEOUT,
                f"body not complete within {settings.HARVEST_TOTAL_TIMEOUT:g} s",
                response.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse_retry_after(value: str) -> int | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(int((when - datetime.now(UTC)).total_seconds()), 0)
