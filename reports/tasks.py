"""Scheduled jobs of the reports: the nightly open-data extract."""

from typing import Any

from celery import shared_task

from reports.opendata import open_data_extract as extract


@shared_task
def open_data_extract() -> dict[str, Any]:
    manifest = extract()
    return {d["key"]: d["rows"] for d in manifest["datasets"]}
