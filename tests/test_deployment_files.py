"""docker-compose.yml and .env.example agree with the code (no Docker engine runs here, so the compose
file is checked statically): every command points at a real entry point, every variable is read."""

import importlib
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Read by Django/Celery/our launcher rather than through env.*() in settings, or by docker compose itself.
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE", "POSTGRES_PASSWORD", "REQUIRE_SERVICES"}


def settings_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
        names |= set(re.findall(r'os\.environ\.setdefault\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    return names


def example_variables() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_healthchecks(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert set(compose["volumes"]) >= {"postgres-data", "redis-data"}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_command_points_at_a_real_entry_point(compose, service):
    command = compose["services"][service]["command"]
    program = command[0]
    if program == "gunicorn":
        module_name, _, attribute = command[1].partition(":")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute or "application"))
    elif program == "celery":
        assert command[1] == "-A"
        app = importlib.import_module(command[2]).celery_app
        assert command[3] in ("worker", "beat")
        assert "workers.tasks.dispatch_due_sources" in {
            entry["task"] for entry in app.conf.beat_schedule.values()
        }
    elif program == "python":
        assert command[1] == "manage.py" and command[2] in get_commands()
    else:
        pytest.fail(f"unknown program {program!r} in service {service}")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_sets_is_read_by_the_settings(compose, service):
    variables = set(compose["services"][service]["environment"])
    unread = variables - settings_variables() - READ_ELSEWHERE
    assert not unread, f"{service} sets variables no setting reads: {sorted(unread)}"


def test_env_example_documents_every_setting_and_nothing_else():
    read = settings_variables()
    documented = example_variables()
    assert read - documented == set(), f"undocumented settings: {sorted(read - documented)}"
    assert documented - read - READ_ELSEWHERE == set(), (
        f"documented but unread: {sorted(documented - read - READ_ELSEWHERE)}"
    )


def test_dockerfile_runs_the_same_web_entry_point_as_compose(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"gunicorn", "config.wsgi"' in dockerfile
    assert compose["services"]["web"]["command"][:2] == ["gunicorn", "config.wsgi"]


def test_web_healthcheck_probes_readiness(compose):
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/readyz" in probe


def test_pre_commit_runs_the_projects_own_checks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "mypy", "import-contracts", "migrations"} <= hooks


def _locked(path: Path) -> dict[str, str]:
    text = (ROOT / path).read_text()
    assert "file://" not in text and "--find-links" not in text  # nothing of one machine
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.M))
    assert pins, path
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins.items()}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0]).lower() for r in requirements}


def test_the_lockfiles_pin_every_dependency_with_hashes_and_make_installs_from_them():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    run, dev = _locked(Path("requirements/run.txt")), _locked(Path("requirements/dev.txt"))
    runtime = _requirement_names(project["dependencies"] + project["optional-dependencies"]["research"])
    assert runtime <= set(run), sorted(runtime - set(run))
    assert runtime | _requirement_names(project["optional-dependencies"]["dev"]) <= set(dev)
    assert all(dev[name] == version for name, version in run.items())  # one version of each package
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/run.txt" in makefile
    assert "--require-hashes -r requirements/dev.txt" in makefile
    assert "--require-hashes -r requirements/run.txt" in (ROOT / "Dockerfile").read_text()
