"""The guarded fetch against a local server: limits, redirects, SSRF, status codes."""

import gzip
import socket

import pytest
from django.test import override_settings

from curation.enums import FetchOutcome
from tests.feedserver import FeedServer, Reply
from workers.harvest.fetch import address_is_public, fetch, parse_retry_after

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>a</title></item></channel></rss>'


def test_ok_returns_body_and_validators(feed_server):
    url = feed_server.add(
        "/feed", Reply(200, RSS, {"ETag": '"v1"', "Last-Modified": "Sun, 01 Nov 2026 00:00:00 GMT"})
    )
    result = fetch(url)
    assert result.outcome == FetchOutcome.OK and result.body == RSS
    assert result.etag == '"v1"' and result.last_modified.startswith("Sun")
    assert len(result.body_hash) == 64


def test_sends_conditional_headers_and_understands_304(feed_server):
    url = feed_server.add("/feed", Reply(304, b"", {"ETag": '"v1"'}))
    result = fetch(url, etag='"v1"', last_modified="Sun, 01 Nov 2026 00:00:00 GMT")
    assert result.outcome == FetchOutcome.NOT_MODIFIED
    sent = feed_server.requests[-1][1]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"].startswith("Sun")
    assert "FOAMCurator" in sent["User-Agent"]


def test_410_is_gone(feed_server):
    assert fetch(feed_server.add("/gone", Reply(410, b"bye"))).outcome == FetchOutcome.GONE


def test_429_reports_retry_after(feed_server):
    result = fetch(feed_server.add("/busy", Reply(429, b"", {"Retry-After": "120"})))
    assert result.outcome == FetchOutcome.RATE_LIMITED and result.retry_after_seconds == 120


def test_500_is_an_http_error_with_its_status(feed_server):
    result = fetch(feed_server.add("/broken", Reply(500, b"oops")))
    assert result.outcome == FetchOutcome.HTTP_ERROR and result.status == 500 and "500" in result.error


@override_settings(HARVEST_TOTAL_TIMEOUT=1.0)
def test_server_that_never_answers_times_out(feed_server, settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    settings.HARVEST_ALLOWED_PRIVATE_HOSTS = [f"localhost:{listener.getsockname()[1]}"]
    try:
        result = fetch(f"http://localhost:{listener.getsockname()[1]}/feed")
    finally:
        listener.close()
    assert result.outcome == FetchOutcome.TIMEOUT
    assert result.duration_ms < 5000


@override_settings(HARVEST_TOTAL_TIMEOUT=1.0)
def test_slow_drip_is_cut_at_the_total_deadline(feed_server):
    url = feed_server.add("/drip", Reply(200, (b"<rss>" for _ in range(100)), delay_between_chunks=0.2))
    result = fetch(url)
    assert result.outcome == FetchOutcome.TIMEOUT
    assert result.duration_ms < 3000 and result.body == b""


@override_settings(HARVEST_MAX_BYTES=100_000)
def test_oversized_body_is_refused(feed_server):
    result = fetch(feed_server.add("/huge", Reply(200, b"x" * 200_000)))
    assert result.outcome == FetchOutcome.TOO_LARGE and result.body == b""


@override_settings(HARVEST_MAX_BYTES=1_000_000)
def test_oversized_streamed_body_without_length_is_refused(feed_server):
    result = fetch(feed_server.add("/stream", Reply(200, (b"x" * 65536 for _ in range(40)))))
    assert result.outcome == FetchOutcome.TOO_LARGE


@override_settings(HARVEST_MAX_BYTES=1_000_000)
def test_gzip_bomb_is_refused_after_decompression(feed_server):
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    result = fetch(feed_server.add("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"})))
    assert result.outcome == FetchOutcome.TOO_LARGE


def test_gzip_body_is_decompressed(feed_server):
    result = fetch(feed_server.add("/gz", Reply(200, gzip.compress(RSS), {"Content-Encoding": "gzip"})))
    assert result.outcome == FetchOutcome.OK and result.body == RSS


def test_redirect_loop_stops_after_five_hops(feed_server):
    feed_server.add("/a", Reply(302, b"", {"Location": "/b"}))
    feed_server.add("/b", Reply(302, b"", {"Location": "/a"}))
    result = fetch(feed_server.url("/a"))
    assert result.outcome == FetchOutcome.TOO_MANY_REDIRECTS
    assert len(feed_server.requests) == 6


def test_permanent_redirect_is_reported(feed_server):
    feed_server.add("/old", Reply(301, b"", {"Location": "/new"}))
    feed_server.add("/new", Reply(200, RSS))
    result = fetch(feed_server.url("/old"))
    assert result.outcome == FetchOutcome.OK and result.permanent_redirect_url == feed_server.url("/new")


def test_temporary_redirect_is_not_reported_as_a_move(feed_server):
    feed_server.add("/old", Reply(302, b"", {"Location": "/new"}))
    feed_server.add("/new", Reply(200, RSS))
    assert fetch(feed_server.url("/old")).permanent_redirect_url == ""


def test_redirect_to_loopback_address_is_blocked(feed_server):
    target = feed_server.add("/secret", Reply(200, b"internal"))
    feed_server.add("/evil", Reply(302, b"", {"Location": target.replace("localhost", "127.0.0.1")}))
    result = fetch(feed_server.url("/evil"))
    assert result.outcome == FetchOutcome.BLOCKED_ADDRESS
    assert [path for path, _ in feed_server.requests] == ["/evil"]


def test_loopback_is_blocked_unless_the_host_is_explicitly_allowed(feed_server):
    url = feed_server.add("/feed", Reply(200, RSS))
    with override_settings(HARVEST_ALLOWED_PRIVATE_HOSTS=[]):
        assert fetch(url).outcome == FetchOutcome.BLOCKED_ADDRESS
    assert feed_server.requests == []


def test_redirect_to_a_non_http_scheme_is_refused(feed_server):
    feed_server.add("/file", Reply(302, b"", {"Location": "file:///etc/passwd"}))
    assert fetch(feed_server.url("/file")).outcome == FetchOutcome.INVALID_URL


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "64:ff9b::a00:1",
        "64:ff9b:1::1",
        "2002:a00:1::1",
        "ff02::1",
        "240.0.0.1",
        "198.18.0.1",
        "192.0.0.8",
        "192.0.0.9",
        "192.0.2.1",
        "198.51.100.7",
        "203.0.113.9",
        "255.255.255.255",
        "192.88.99.1",
        "2001:db8::1",
        "2001::1",
        "2001:10::1",
        "3fff::1",
        "100::1",
        "::",
        "::ffff:8.8.8.8",
        "fec0::1",
        "5f00::1",
    ],
)
def test_non_global_addresses_are_refused(address):
    assert not address_is_public(address)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4009::200e"]
)
def test_global_addresses_are_allowed(address):
    assert address_is_public(address)


def test_retry_after_reads_seconds_and_dates():
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("soon") is None


def test_the_allowlist_names_an_endpoint_not_a_whole_host(feed_server, settings):
    """An allowed local feed server does not open the other ports of its host (Redis on 6379...)."""
    from workers.harvest.addresses import allowed_endpoints

    assert allowed_endpoints(["localhost", "127.0.0.1:8000", "[::1]:9000", "x:0", "y:http"]) == {
        ("127.0.0.1", 8000),
        ("::1", 9000),
    }
    other = FeedServer()
    try:
        other.add("/feed", Reply(200, RSS))
        feed_server.add("/evil", Reply(302, b"", {"Location": other.url("/feed")}))
        assert fetch(feed_server.url("/evil")).outcome == FetchOutcome.BLOCKED_ADDRESS
        assert other.requests == []
    finally:
        other.close()
