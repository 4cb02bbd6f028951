"""The embedded default (`make run`) runs quietly: a busy SQLite is routine, the icon is there, readers don't wait."""

import logging
import tempfile

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError

from delivery import services
from delivery.kick import InProcessDelivery
from tests.test_deploy_config import run_manage

pytestmark = pytest.mark.django_db


def test_it_logs_a_busy_sqlite_as_routine_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def locked() -> int:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "deliver_due", locked)
    with caplog.at_level(logging.INFO, logger="delivery.kick"):
        InProcessDelivery.sweep_once(reconcile=False)
    assert [record.levelno for record in caplog.records] == [logging.INFO]
    assert caplog.records[0].exc_info is None
    assert "retries" in caplog.records[0].getMessage()


def test_it_still_reports_other_database_errors_with_their_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> int:
        raise OperationalError("no such table: delivery_platformstate")

    monkeypatch.setattr(services, "deliver_due", broken)
    with caplog.at_level(logging.INFO, logger="delivery.kick"):
        InProcessDelivery.sweep_once(reconcile=False)
    assert [record.levelno for record in caplog.records] == [logging.ERROR]
    assert caplog.records[0].exc_info is not None


def test_it_opens_the_embedded_sqlite_for_concurrent_readers_and_a_waiting_writer() -> None:
    script = (
        "from django.db import connection; connection.ensure_connection(); "
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0]); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    with tempfile.TemporaryDirectory() as var_dir:
        result = run_manage("shell", "--no-imports", "-c", script, VAR_DIR=var_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_it_serves_an_icon_on_staff_public_and_admin_pages(client) -> None:  # type: ignore[no-untyped-def]
    assert finders.find("favicon.svg")
    for page in ("/", "/staff/login/"):
        assert 'rel="icon"' in client.get(page).content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
