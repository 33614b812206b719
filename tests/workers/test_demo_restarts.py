"""`make run OFFLINE=1` serves the demo feeds on a new port each run: restarts keep the same sources."""

from pathlib import Path

import pytest
from django.core.management import call_command

from curation.models import Source
from curation.services.catalogue import source_register

pytestmark = pytest.mark.django_db
TEMPLATE = Path(__file__).resolve().parents[2] / "workers" / "demo_feeds" / "demo.opml.template"


def _start(tmp_path: Path, port: int) -> None:
    """What the launcher does on each offline start."""
    base = f"http://127.0.0.1:{port}"
    call_command("demo_rebase", base)
    catalogue = tmp_path / f"demo-{port}.opml"
    catalogue.write_text(TEMPLATE.read_text().replace("{base}", base))
    call_command("import_opml", str(catalogue))


def test_restarts_on_other_ports_never_duplicate_the_demo_sources(tmp_path):
    _start(tmp_path, 41001)
    first = dict(Source.objects.values_list("title", "pk"))
    assert len(first) == 3
    for port in (41002, 41003, 41001):
        _start(tmp_path, port)
        assert dict(Source.objects.values_list("title", "pk")) == first
        assert all(
            url.startswith(f"http://127.0.0.1:{port}/")
            for url in Source.objects.values_list("feed_url", flat=True)
        )


def test_only_loopback_demo_paths_move(tmp_path):
    other, _ = source_register(feed_url="http://127.0.0.1:5000/other.xml")
    public, _ = source_register(feed_url="https://blog.example.org/teaching-notes.xml")
    _start(tmp_path, 41010)
    _start(tmp_path, 41011)
    other.refresh_from_db()
    public.refresh_from_db()
    assert other.feed_url == "http://127.0.0.1:5000/other.xml"
    assert public.feed_url == "https://blog.example.org/teaching-notes.xml"
    assert Source.objects.count() == 5
