"""The `make run` path, for real: offline mode in a subprocess, both URLs served, the sample feeds
harvested by the real worker on the embedded broker, then Ctrl-C leaves no process behind."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENTRIES = 7  # 3 blog posts + 2 episodes + 2 videos in workers/demo_feeds/


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.smoke
def test_make_run_offline_serves_site_and_api_then_ctrl_c_leaves_nothing(tmp_path):
    if shutil.which("make") is None or not Path("/proc").is_dir():
        pytest.skip("needs make and /proc")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["VAR_DIR"] = str(tmp_path / "var")
    process = subprocess.Popen(
        ["make", "run", "OFFLINE=1", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    tree: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(output)
        assert f"running at http://127.0.0.1:{port}/" in text, text
        assert "password" in text  # the editor's password, shown once
        assert get(f"http://127.0.0.1:{port}/")[0] == 200
        status, body = get(f"http://127.0.0.1:{port}/api/v1/")
        assert status == 200 and json.loads(body)["version"] == "v1"

        results: list[object] = []
        harvest_deadline = time.monotonic() + 60
        while time.monotonic() < harvest_deadline and len(results) < DEMO_ENTRIES:
            results = json.loads(get(f"http://127.0.0.1:{port}/api/v1/resources/")[1])["results"]
            time.sleep(0.5)
        assert len(results) == DEMO_ENTRIES, "the worker did not harvest the sample feeds"

        tree = descendants(process.pid)
        assert len(tree) >= 5  # launcher, gunicorn (+workers), celery worker (+pool), beat
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    time.sleep(0.5)
    survivors = sorted(pid for pid in tree if alive(pid))
    assert survivors == [], f"processes left behind: {survivors}"
