"""Evidence files of a dishonesty record: checked by size, extension and real content, stored outside the web root.

Only documents and images a reviewer needs are accepted (PDF, OFD, PNG, JPEG), each recognised by its first bytes
as well as its name: an HTML page, an SVG or a program renamed `.pdf` is refused, so nothing that a browser would run
is ever stored. Files are kept under MEDIA_ROOT with a name of our own and served only by a view that checks the
record's scope (records/views/dishonesty.py: evidence_download).
"""

import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import may_decide_records_about, may_enter_records_for
from kernel.errors import DomainError, NotAllowed
from records.models import DishonestyRecord, EvidenceFile

# 20 MB unless settings.RECORD_EVIDENCE_MAX_BYTES says otherwise: a scanned judgment runs to a few MB.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
NAME_MAX_LENGTH = 200
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


@dataclass(frozen=True)
class EvidenceKind:
    content_type: str
    extensions: frozenset[str]


PDF = EvidenceKind("application/pdf", frozenset({".pdf"}))
PNG = EvidenceKind("image/png", frozenset({".png"}))
JPEG = EvidenceKind("image/jpeg", frozenset({".jpg", ".jpeg"}))
# OFD (GB/T 33190-2016), the Chinese fixed-layout format of e-government documents: a zip package with OFD.xml.
OFD = EvidenceKind("application/ofd", frozenset({".ofd"}))
EVIDENCE_KINDS = (PDF, PNG, JPEG, OFD)
ALLOWED_EXTENSIONS = frozenset(ext for kind in EVIDENCE_KINDS for ext in kind.extensions)


def evidence_max_bytes() -> int:
    return int(settings.RECORD_EVIDENCE_MAX_BYTES)


def may_attach_evidence(actor: User, record: DishonestyRecord) -> bool:
    """The supplying agency while the record is still its draft; the credit office of the region at any time."""
    if record.is_editable and may_enter_records_for(actor, record.data_source_agency):
        return True
    return may_decide_records_about(actor, record.subject_agency)


def sanitize_file_name(name: str) -> str:
    """The uploaded name as a label only (it never becomes a path): no directories, control or reserved
    characters, at most NAME_MAX_LENGTH characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip(" .")
    stem, extension = os.path.splitext(name)
    extension = extension.lower()[:10]
    stem = stem[: NAME_MAX_LENGTH - len(extension)] or "evidence"
    return stem + extension


def _is_ofd(upload: Any) -> bool:
    upload.seek(0)
    try:
        # Only the central directory is read: nothing is decompressed, so a zip bomb costs nothing here.
        with zipfile.ZipFile(upload) as package:
            names = {info.filename.lstrip("/").lower() for info in package.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "ofd.xml" in names


def _content_matches(kind: EvidenceKind, head: bytes, upload: Any) -> bool:
    if kind is PDF:
        return head.startswith(b"%PDF-")
    if kind is PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if kind is OFD:
        return head.startswith(b"PK\x03\x04") and _is_ofd(upload)
    return False


def _kind_for(extension: str) -> EvidenceKind | None:
    return next((kind for kind in EVIDENCE_KINDS if extension in kind.extensions), None)


def evidence_check(upload: Any) -> tuple[EvidenceKind, str]:
    """The kind and the clean name of an acceptable upload; DomainError(field="file") otherwise."""
    if upload is None:
        raise DomainError(_("Choose a file."), code="required", field="file")
    name = sanitize_file_name(getattr(upload, "name", "") or "")
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise DomainError(_("The file is empty."), code="empty", field="file")
    limit = evidence_max_bytes()
    if size > limit:
        raise DomainError(
            _("The file is %(size)s MB; evidence files may be at most %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            code="too_large",
            field="file",
        )
    kind = _kind_for(os.path.splitext(name)[1].lower())
    if kind is None:
        raise DomainError(
            _("Upload a PDF, OFD, PNG or JPEG file."),
            code="file_type",
            field="file",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(kind, head, upload):
        raise DomainError(
            _("The file's content is not the %(type)s its name says.") % {"type": kind.content_type},
            code="content_mismatch",
            field="file",
        )
    return kind, name


def evidence_attach(*, actor: User, record: DishonestyRecord, upload: Any) -> EvidenceFile:
    """Stores an uploaded file (a Django UploadedFile or File) as evidence of `record`."""
    if not may_attach_evidence(actor, record):
        raise NotAllowed(_("You may not add evidence to this record."))
    kind, name = evidence_check(upload)
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    with transaction.atomic():
        # Under the row lock the record cannot be submitted meanwhile: the editable test below is the truth.
        record = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
        if not may_attach_evidence(actor, record):
            raise DomainError(
                _("The record has moved on; only the credit office may add evidence now."), code="illegal_transition"
            )
        evidence = EvidenceFile(
            record=record,
            original_name=name,
            content_type=kind.content_type,
            size=int(upload.size),
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        # A name of our own: the uploaded one is a label in original_name, never part of a path.
        evidence.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
        try:
            evidence.save()
        except BaseException:
            evidence.file.delete(save=False)  # no row, no file
            raise
    return evidence
