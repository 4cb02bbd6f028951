"""The outbox moves from records to its own app: the model changes hands in Django's state only, its table and rows
stay as they are (the next migration renames the table), and the content type moves with it so that the permissions
granted on platform changes and the admin's log keep pointing at it."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import outbox.models


def move_content_type(apps: Any, schema_editor: Any) -> None:
    _content_type_move(apps, schema_editor, source="records", target="outbox")


def move_content_type_back(apps: Any, schema_editor: Any) -> None:
    _content_type_move(apps, schema_editor, source="outbox", target="records")


def _content_type_move(apps: Any, schema_editor: Any, *, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label=target, model="platformchange").exists():
        content_types.filter(app_label=source, model="platformchange").update(app_label=target)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("records", "0022_import_job_heartbeat"),
        # The last migration that writes changes as records.PlatformChange runs before the model changes hands.
        ("repair", "0003_record_under_objection_from_open_objections"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlatformChange",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("change_type", models.CharField(choices=[("published", "Published"), ("corrected", "Corrected"), ("revoked", "Revoked"), ("repaired", "Credit repaired"), ("expired", "Expired"), ("objection_opened", "Under objection"), ("objection_closed", "Objection rejected; measures resumed")], max_length=16, verbose_name="change")),
                        ("version", models.PositiveIntegerField(verbose_name="version")),
                        ("payload", models.JSONField(verbose_name="payload (双公示 codes)")),
                        ("status", models.CharField(choices=[("pending", "Pending"), ("delivered", "Delivered"), ("failed", "Failed")], default="pending", max_length=16, verbose_name="delivery status")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="queued at")),
                        ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered at")),
                        ("record", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="platform_changes", to="records.dishonestyrecord", verbose_name="record")),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="tries")),
                        ("commit_xid", models.BigIntegerField(blank=True, db_default=outbox.models.CurrentTransactionId(), editable=False, null=True, verbose_name="writing transaction")),
                        ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="parked at")),
                        ("generation", models.PositiveIntegerField(default=0, verbose_name="resend generation")),
                        ("last_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="last try at")),
                        ("last_error", models.TextField(blank=True, verbose_name="the platform's last answer")),
                        ("leased_until", models.DateTimeField(blank=True, null=True, verbose_name="held by a worker until")),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="next try at")),
                        ("failure", models.CharField(blank=True, choices=[("unreachable", "No answer (refused, reset or timed out)"), ("server_error", "Platform error (5xx or 408)"), ("throttled", "Throttled (429)"), ("unauthorized", "Signature or credentials refused (401/403)"), ("too_large", "Batch too large (413)"), ("refused", "Refused on its content")], max_length=16, verbose_name="last failure")),
                        ("refusals", models.PositiveIntegerField(default=0, verbose_name="refusals")),
                    ],
                    options={
                        "verbose_name": "platform change",
                        "verbose_name_plural": "platform changes",
                        "ordering": ["pk"],
                        "db_table": "records_platformchange",
                        "indexes": [
                            models.Index(condition=models.Q(("status", "pending")), fields=["id"], name="platform_change_pending_idx"),
                            models.Index(condition=models.Q(("status", "pending")), fields=["record", "id"], name="platform_change_rec_pend_idx"),
                            models.Index(condition=models.Q(("status", "failed")), fields=["id"], name="platform_change_failed_idx"),
                            models.Index(fields=["delivered_at"], name="platform_change_delivered_idx"),
                            models.Index(fields=["commit_xid", "id"], name="platform_change_feed_idx"),
                        ],
                        "constraints": [models.UniqueConstraint(fields=("record", "version"), name="platform_change_one_per_version")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
