"""docs/data-dictionary.md is generated from the models (`manage.py data_dictionary`) and must follow them."""

import difflib
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.management.commands.data_dictionary import OUTPUT, data_dictionary

REGENERATE = "`.venv/bin/python manage.py data_dictionary --output docs/data-dictionary.md`"


def test_the_committed_data_dictionary_matches_the_models() -> None:
    committed = (Path(settings.BASE_DIR) / OUTPUT).read_text(encoding="utf-8")
    generated = data_dictionary()
    if committed != generated:
        diff = difflib.unified_diff(
            committed.splitlines(), generated.splitlines(), "committed", "from the models", n=0, lineterm=""
        )
        pytest.fail(
            f"docs/data-dictionary.md is out of date with the models: run {REGENERATE} and commit the file.\n"
            + "\n".join(list(diff)[:40]),
            pytrace=False,
        )


def test_it_names_each_field_in_chinese_beside_its_column() -> None:
    text = data_dictionary()

    assert '### <a id="records_dishonestyrecord"></a>`records_dishonestyrecord` 政务失信记录' in text
    assert "| `decision_date` | `decision_date` | DateField |  | 决定日期 |" in text
    assert "| `subject_person` | `subject_person_id` | ForeignKey → `records_civilservant` | yes | 主体公务员 |" in text


def test_it_spells_out_choices_constraints_and_indexes() -> None:
    text = data_dictionary()

    assert "`draft` 草稿 · `awaiting_review` 待审核" in text
    assert (
        "- CHECK `record_window_ordered`: disclosure_starts_on <= earliest_repair_on"
        " AND earliest_repair_on <= disclosure_ends_on"
    ) in text
    assert (
        "- UNIQUE `record_document_number_unique_per_body`: (deciding_body_uscc, document_number)"
        " WHERE status <> 'revoked'"
    ) in text
    assert "- INDEX `agency_path_prefix_idx`: (path) varchar_pattern_ops" in text


def test_history_and_framework_tables_are_listed_without_their_fields() -> None:
    text = data_dictionary()

    assert "| `records_historicalcivilservant` | [`records_civilservant`](#records_civilservant) " in text
    assert "`id_number_digest`, `id_number_cipher`" in text
    assert "| `django_session` | `sessions.Session` |" in text
    assert '### <a id="django_session">' not in text


def test_the_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "data-dictionary.md"

    call_command("data_dictionary", output=target, stdout=StringIO())

    assert target.read_text(encoding="utf-8") == data_dictionary()
