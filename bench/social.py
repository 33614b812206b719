"""Social harvest benchmark on PostgreSQL: mentions ingested per second from the local Mastodon and
Bluesky stand-ins (tests/socialserver.py), through the production path (guarded fetch, parsing,
link canonicalisation and shortener expansion, matching against the catalogue, upserts, snapshots).

Measured in one run:
- baseline: reading the same pages with a bare httpx client and json.loads (the network and parse
  floor, no database);
- first harvest of a Mastodon hashtag and a Bluesky search holding `--posts` posts each (80 % link a
  catalogued resource, 10 % through a shortener, 10 % an uncatalogued site);
- a second harvest of the same posts (nothing new: the upsert path).

Creates (and drops afterwards) its own database. Usage:
    python bench/social.py [--posts 2000] [--resources 5000] [--pg postgres://postgres@127.0.0.1:5432]
Prints one JSON line and appends it to BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import random
import time
from datetime import UTC, datetime

from _report import emit
from _seed import drop_database, setup_django


def _catalogue(count: int, blog_base: str) -> list[str]:
    from curation.models import Resource, Source

    source = Source.objects.create(
        title="Bench blog", site_url=f"{blog_base}/", feed_url=f"{blog_base}/feed/"
    )
    urls = [f"{blog_base}/posts/{index}/" for index in range(count)]
    Resource.objects.bulk_create(
        [
            Resource(source=source, identity_key=f"{index:064d}", canonical_url=url, title=f"Post {index}")
            for index, url in enumerate(urls)
        ],
        batch_size=2000,
    )
    return urls


def _fill(servers, urls: list[str], posts: int) -> None:  # type: ignore[no-untyped-def]
    mastodon, bluesky, shortener, other = servers
    rng = random.Random(11)
    for index in range(posts):
        roll = rng.random()
        target = rng.choice(urls)
        if roll < 0.1:
            code = f"/s{index}"
            shortener.redirects[code] = target
            link = f"{shortener.base}{code}"
        elif roll < 0.2:
            link = f"{other.base}/article/{index}/"
        else:
            link = f"{target}?utm_source=social"
        mastodon.add(
            10_000 + index,
            f"user{index % 400}",
            f'<p>Worth a read <a href="{link}">link</a> #FOAMed</p>',
            tags=["foamed"],
            favourites=index % 7,
        )
        bluesky.add(
            f"3k{index:06d}",
            f"user{index % 400}.bsky.social",
            "Worth a read",
            links=[link],
            tags=["foamed"],
            likes=index % 5,
        )


def _baseline(mastodon_base: str, bluesky_base: str) -> tuple[float, int]:
    """Every page a harvest reads, fetched and parsed with a bare client (no guard, no database)."""
    import httpx

    started = time.perf_counter()
    read = 0
    with httpx.Client() as client:
        max_id = ""
        while True:
            page = client.get(
                f"{mastodon_base}/api/v1/timelines/tag/foamed",
                params={"limit": 40, **({"max_id": max_id} if max_id else {})},
            )
            statuses = json.loads(page.content)
            read += len(statuses)
            if not statuses:
                break
            max_id = statuses[-1]["id"]
        cursor = ""
        while True:
            params = {"q": "#foamed", "tag": "foamed", "limit": 100, **({"cursor": cursor} if cursor else {})}
            body = json.loads(
                client.get(f"{bluesky_base}/xrpc/app.bsky.feed.searchPosts", params=params).content
            )
            read += len(body["posts"])
            cursor = body.get("cursor", "")
            if not cursor:
                break
    return time.perf_counter() - started, read


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000, help="posts per platform")
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    name = f"foam_bench_social_{os.getpid()}"
    setup_django(args.pg, name)
    from django.conf import settings

    from tests.socialserver import BlueskyServer, MastodonServer, WebServer

    servers = (
        MastodonServer("127.0.0.1"),
        BlueskyServer("127.0.0.1"),
        WebServer("127.0.0.3"),
        WebServer("127.0.0.4"),
    )
    blog = WebServer("127.0.0.2")
    try:
        settings.HARVEST_ALLOWED_PRIVATE_HOSTS = [f"{s.host}:{s.port}" for s in (*servers, blog)]
        settings.SOCIAL_SHORTENERS = ["127.0.0.3"]
        settings.SOCIAL_MAX_PAGES = 10_000
        settings.SOCIAL_MAX_EXPANSIONS = 10_000
        from curation.models import Mention, User
        from curation.services.social import social_source_register
        from workers.social.pipeline import harvest_social_source

        urls = _catalogue(args.resources, blog.base)
        _fill(servers, urls, args.posts)
        baseline_seconds, baseline_posts = _baseline(servers[0].base, servers[1].base)
        editor = User.objects.create(username="bench-editor", role="editor")
        followed = [
            social_source_register(
                editor=editor, platform="mastodon", kind="hashtag", query="foamed", instance=servers[0].base
            )[0],
            social_source_register(
                editor=editor, platform="bluesky", kind="hashtag", query="foamed", instance=servers[1].base
            )[0],
        ]
        started = time.perf_counter()
        for social_source in followed:
            harvest_social_source(social_source.pk)
        first = time.perf_counter() - started
        mentions = Mention.objects.count()
        from curation.models import SocialSource

        SocialSource.objects.update(newest_post_id="", last_success_at=None)  # read everything again
        started = time.perf_counter()
        for social_source in followed:
            harvest_social_source(social_source.pk)
        second = time.perf_counter() - started
        emit(
            {
                "benchmark": "social",
                "date": datetime.now(UTC).strftime("%Y-%m-%d"),
                "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL",
                "posts": 2 * args.posts,
                "resources": args.resources,
                "mentions_stored": mentions,
                "matched": Mention.objects.exclude(resource=None).count(),
                "baseline_read_and_parse_seconds": round(baseline_seconds, 2),
                "baseline_posts_per_s": round(baseline_posts / baseline_seconds, 1),
                "first_harvest_seconds": round(first, 2),
                "mentions_per_s": round(mentions / first, 1),
                "first_vs_baseline": round(first / baseline_seconds, 2),
                "second_harvest_seconds": round(second, 2),
                "second_harvest_posts_per_s": round(2 * args.posts / second, 1),
                "new_on_second_harvest": Mention.objects.count() - mentions,
            },
            record=not args.no_record,
        )
    finally:
        for server in (*servers, blog):
            server.close()
        drop_database(args.pg, name)


if __name__ == "__main__":
    main()
