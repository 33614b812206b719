"""Fixtures of the worker tests: the social web's stand-ins (Mastodon, Bluesky, web hosts)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.socialserver import BlueskyServer, MastodonServer, WebServer


@dataclass
class SocialWeb:
    mastodon: MastodonServer
    bluesky: BlueskyServer
    blog: WebServer
    shortener: WebServer
    other: WebServer


@pytest.fixture
def social_web(settings) -> Iterator[SocialWeb]:  # type: ignore[no-untyped-def]
    servers = SocialWeb(
        mastodon=MastodonServer("127.0.0.1"),
        bluesky=BlueskyServer("127.0.0.1"),
        blog=WebServer("127.0.0.2"),
        shortener=WebServer("127.0.0.3"),
        other=WebServer("127.0.0.4"),
    )
    every = [servers.mastodon, servers.bluesky, servers.blog, servers.shortener, servers.other]
    settings.HARVEST_ALLOWED_PRIVATE_HOSTS = [f"{s.host}:{s.port}" for s in every]
    settings.SOCIAL_SHORTENERS = ["127.0.0.3"]
    settings.BLUESKY_APPVIEW_URL = servers.bluesky.base
    settings.BLUESKY_PDS_URL = servers.bluesky.base
    settings.SOCIAL_IDENTITY_SCHEME = "http"
    yield servers
    for server in every:
        server.close()
