"""Deployment configuration: docker-compose.yml, the Dockerfile, .env.example and the production settings.

Docker cannot run here: the compose file is checked by reading it. Production settings are checked in a subprocess,
the way a server starts them.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
COMPOSE_ONLY_MARKER = "Read by docker-compose.yml only"
SETTINGS_READ = re.compile(
    r"""(?:env_str|env_bool|env_int|env_list|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
EXAMPLE_LINE = re.compile(r"^#?\s?([A-Z][A-Z0-9_]*)=")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return {a or b for a, b in SETTINGS_READ.findall(source)}


def example_variables() -> tuple[set[str], set[str]]:
    """(variables for config/settings.py, variables for docker-compose.yml only) documented in .env.example."""
    for_settings: set[str] = set()
    for_compose: set[str] = set()
    target = for_settings
    for line in (ROOT / ".env.example").read_text().splitlines():
        if COMPOSE_ONLY_MARKER in line:
            target = for_compose
        match = EXAMPLE_LINE.match(line)
        if match:
            target.add(match.group(1))
    return for_settings, for_compose


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py in a fresh process with only the given deployment variables (none inherited from this shell)."""
    inherited = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, "VAR_DIR": tempfile.gettempdir(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PERSONAL_DATA_KEY": secrets.token_urlsafe(48),
        # Never connected to: `check` without --database does not open a connection.
        "DATABASE_URL": "postgres://govcredit@127.0.0.1:5432/govcredit",
        "ALLOWED_HOSTS": "credit.example.gov.cn",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_it_defines_the_five_services(compose: dict[str, Any]) -> None:
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(compose["services"])


def test_it_runs_gunicorn_and_celery_in_production(compose: dict[str, Any]) -> None:
    services = compose["services"]

    assert "gunicorn config.wsgi" in command_text(services["web"])
    assert "celery -A config worker" in command_text(services["worker"])
    assert "celery -A config beat" in command_text(services["beat"])
    for name in APP_SERVICES:
        assert services[name]["environment"]["DJANGO_ENV"] == "production", name


def test_it_gives_the_app_services_their_configuration_from_the_environment(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        service = compose["services"][name]
        environment = service["environment"]
        assert ".env" in service["env_file"], name
        assert environment["DATABASE_URL"].startswith("${DATABASE_URL:-postgres://"), name
        assert "@postgres:5432/" in environment["DATABASE_URL"], name
        assert environment["REDIS_URL"].startswith("${REDIS_URL:-redis://redis:6379"), name
        # Secrets are never written into the compose file: they come from .env.
        assert "SECRET_KEY" not in environment, name
        assert "PERSONAL_DATA_KEY" not in environment, name
    documented, _compose_only = example_variables()
    assert {"SECRET_KEY", "PERSONAL_DATA_KEY", "DATABASE_URL", "REDIS_URL"} <= documented


def test_it_starts_the_app_only_on_healthy_backing_services(compose: dict[str, Any]) -> None:
    services = compose["services"]

    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker"):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
    assert services["beat"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_it_keeps_postgres_data_in_a_volume_with_a_utf8_ctype(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]

    assert postgres["image"].startswith("postgres:15")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert "--locale=C.UTF-8" in postgres["environment"]["POSTGRES_INITDB_ARGS"]
    assert "${POSTGRES_PASSWORD" in postgres["environment"]["POSTGRES_PASSWORD"]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "media"}


def test_it_builds_a_slim_image_that_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "pip install ." in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "var"} <= set(ignored)


def test_it_documents_every_variable_settings_reads_and_no_other() -> None:
    documented, compose_only = example_variables()

    assert documented == settings_variables()
    assert compose_only, "the compose-only section lists POSTGRES_PASSWORD"
    compose_text = (ROOT / "docker-compose.yml").read_text()
    for name in compose_only:
        assert "${" + name in compose_text, name


def test_it_passes_the_deployment_checks_under_production_settings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [None, "", settings.DEV_SECRET_KEY, "too-short-" * 3, "a" * 64],
    ids=["missing", "empty", "development-key", "short", "one-character"],
)
def test_it_refuses_to_start_in_production_without_a_real_secret_key(secret_key: str | None) -> None:
    env = production_env()
    env.pop("SECRET_KEY")
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_in_production_without_the_personal_data_key() -> None:
    env = production_env()
    env.pop("PERSONAL_DATA_KEY")

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_it_runs_the_platform_stub_and_points_delivery_at_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    stub = services["platform-stub"]
    assert "-m platform_stub" in command_text(stub) and "--port=8765" in command_text(stub)
    assert stub["environment"]["PLATFORM_STUB_SECRET"].startswith("${PLATFORM_SECRET")
    assert any(volume.endswith(":/data") for volume in stub["volumes"])
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["PLATFORM_URL"] == "${PLATFORM_URL:-http://platform-stub:8765}", name
    documented, _compose_only = example_variables()
    assert {"PLATFORM_URL", "PLATFORM_SECRET", "PLATFORM_MAX_ATTEMPTS"} <= documented


@pytest.mark.parametrize("secret", ["", "short-secret"], ids=["missing", "short"])
def test_it_refuses_a_platform_address_without_a_strong_secret_in_production(secret: str) -> None:
    result = run_manage(
        "check", **production_env(PLATFORM_URL="https://platform.example.gov.cn", PLATFORM_SECRET=secret)
    )
    assert result.returncode != 0
    assert "PLATFORM_SECRET" in result.stderr
    ok = run_manage(
        "check", **production_env(PLATFORM_URL="https://platform.example.gov.cn", PLATFORM_SECRET="s" * 16 + "t" * 16)
    )
    assert ok.returncode == 0, ok.stderr
