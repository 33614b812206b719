"""`make run`: prepare the embedded default, then supervise web, worker and beat until Ctrl-C.

Each child runs in its own process group, so stopping kills whole groups (gunicorn's and Celery's
pool processes included) and leaves nothing behind. Logs go to VAR_DIR/log/.
"""

import argparse
import contextlib
import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
STARTER_CATALOGUE = ROOT / "curation" / "data" / "starter_catalogue.opml"
DEMO_FEEDS = ROOT / "workers" / "demo_feeds"
STOP_GRACE_SECONDS = 15
READY_TIMEOUT_SECONDS = 60


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def start_demo_feed_server() -> http.server.ThreadingHTTPServer:
    """Serve the project's own sample feeds on 127.0.0.1 (a free port) for the offline demo."""
    handler = functools.partial(QuietHandler, directory=str(DEMO_FEEDS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="demo-feeds").start()
    return server


class Platform:
    def __init__(self, host: str, port: int, offline: bool) -> None:
        self.host, self.port, self.offline = host, port, offline
        self.env = os.environ.copy()
        self.env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        self.env["PYTHONUNBUFFERED"] = "1"
        self.var_dir = Path(self.env.get("VAR_DIR", ROOT / "var")).resolve()
        self.env["VAR_DIR"] = str(self.var_dir)
        self.log_dir = self.var_dir / "log"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    # --- preparation -----------------------------------------------------------------------------
    def manage(self, *args: str, show: bool = False) -> str:
        completed = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout + completed.stderr)
            raise SystemExit(f"`manage.py {' '.join(args)}` failed (exit {completed.returncode}).")
        if show:
            print(completed.stdout.strip())
        return completed.stdout

    def prepare(self) -> None:
        print(f"Data folder: {self.var_dir}")
        print("Applying database migrations…")
        self.manage("migrate", "--noinput")
        if self.offline:
            server = start_demo_feed_server()
            base = f"http://127.0.0.1:{server.server_address[1]}"
            self.env["HARVEST_ALLOWED_PRIVATE_HOSTS"] = f"127.0.0.1:{server.server_address[1]}"
            self.manage("demo_rebase", base)  # earlier runs served the same feeds on another port
            catalogue = self.var_dir / "demo.opml"
            catalogue.write_text((DEMO_FEEDS / "demo.opml.template").read_text().replace("{base}", base))
            print(f"Offline mode: serving the sample feeds at {base}/")
        else:
            catalogue = STARTER_CATALOGUE
        print("Loading the catalogue:", self.manage("import_opml", str(catalogue)).strip().splitlines()[-1])
        self.manage("ensure_editor", show=True)

    # --- processes -------------------------------------------------------------------------------
    def spawn(self, name: str, command: list[str]) -> None:
        log = (self.log_dir / f"{name}.log").open("ab")
        self.children[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self) -> None:
        python = sys.executable
        self.spawn(
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"{self.host}:{self.port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
        )
        self.spawn(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "default,harvest,research",
                "--concurrency",
                "2",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "INFO",
            ],
        )
        self.spawn(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.var_dir / "celerybeat-schedule"),
            ],
        )

    def wait_until_ready(self) -> str:
        url = f"http://{self.host}:{self.port}/"
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self.stopping:
            self.check_children()
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        if self.stopping:
            return ""
        raise SystemExit(
            f"The web server did not answer at {url} within {READY_TIMEOUT_SECONDS} s; see {self.log_dir}/web.log"
        )

    def check_children(self) -> None:
        for name, child in self.children.items():
            if child.poll() is not None and not self.stopping:
                tail = (self.log_dir / f"{name}.log").read_text(errors="replace").splitlines()[-15:]
                sys.stderr.write("\n".join(tail) + "\n")
                raise SystemExit(
                    f"The {name} process stopped unexpectedly (exit {child.returncode}); see {self.log_dir}/{name}.log"
                )

    def stop(self) -> None:
        self.stopping = True
        for child in self.children.values():  # leaders first: they shut their own pools down cleanly
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        for child in self.children.values():  # whatever is left, including stray pool processes
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: "subprocess.Popen[bytes]", sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run FOAM Curator: web, worker and beat.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--offline", action="store_true", help="harvest the bundled sample feeds from a local server"
    )
    args = parser.parse_args(argv)
    platform = Platform(args.host, args.port, args.offline)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if platform.stopping:  # a second Ctrl-C: stop waiting politely
            for child in platform.children.values():
                _signal_group(child, signal.SIGKILL)
        platform.stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        platform.prepare()
        platform.start()
        url = platform.wait_until_ready()
        if not url:
            return 0
        queued = platform.manage("harvest", "--all").strip().splitlines()[-1]
        print(f"\nFOAM Curator is running at {url}  (API: {url}api/v1/, admin: {url}admin/)")
        print(f"Harvesting in the background: {queued}. Logs: {platform.log_dir}/")
        print("Press Ctrl-C to stop web, worker and beat.", flush=True)
        while not platform.stopping:
            platform.check_children()
            time.sleep(0.5)
    finally:
        print("\nStopping…", flush=True)
        platform.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
