"""Reading uploaded .xlsx files safely and in constant memory.

- `check_package` looks at the zip directory before anything opens the workbook: not a zip, too big, a zip bomb
  (total uncompressed size or compression ratio over the limits — openpyxl has no such guard), macros
  (vbaProject.bin, a macro-enabled content type). Python's zipfile never inflates a member past its declared size,
  so the declared sizes checked here bound what the reader below can ever decompress.
- `XlsxReader` streams a worksheet's XML out of the zip with expat and yields one row at a time. python-calamine
  reads faster but materialises the whole sheet in memory (measured: +170 MB for 100,000 rows, bench/bench_import.py)
  and hides formulas; openpyxl's read-only mode streams but reads ~2.5k rows/s. Streaming keeps memory flat, sees
  each formula where it is, and reads ~15k rows/s. Shared strings (Excel writes every text cell there) are kept in
  a temporary file, not in memory, so memory stays flat for Excel-saved files too. No DTD is accepted.
"""

import array
import datetime
import mmap
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

WORKBOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"ms-office.vbaproject")
READ_CHUNK = 1 << 16
# Members smaller than this are not held to the ratio limit: a small, very regular part (styles, an empty sheet)
# compresses 100:1 and harms no one.
RATIO_GRACE_BYTES = 1 << 20

# Built-in number formats that show a date: 14–22 and 45–47 everywhere, 27–36 and 50–58 in Chinese, Japanese and
# Korean Excel (e.g. 31 = yyyy"年"m"月"d"日").
BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_LETTERS = re.compile(r"[dmyhs]", re.IGNORECASE)
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
# A <row> start tag that is not self-closing (an empty formatted row is not counted).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?row(?:\s[^<>]*)?(?<!/)>")
# A row holding only empty, formatted cells (<c r="B2" s="1"/>): what the template's pre-formatted rows look like
# until someone types in them. Not counted either.
_EMPTY_ROW = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?row(?:\s[^<>]*)?(?<!/)>(?:\s*<(?:[A-Za-z0-9_]+:)?c(?:\s[^<>]*)?/>)*\s*</(?:[A-Za-z0-9_]+:)?row>"
)
# Bytes kept from one chunk to the next so a row cut by the chunk is seen whole (an empty template row is ~400).
_COUNT_TAIL = 4096


class UnreadableWorkbook(Exception):
    """The upload is not a workbook we will read; `message` is for the user, `code` for tests and the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PackageLimits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_ratio: int
    max_members: int = 1000


@dataclass(frozen=True)
class CellError:
    """An Excel error value in a cell (#N/A, #DIV/0!, …)."""

    text: str


@dataclass(frozen=True)
class SheetRow:
    number: int  # as Excel shows it, from 1
    cells: list[Any]  # by column index from 0: str, float, bool, datetime.date, CellError or None
    formulas: tuple[int, ...]  # indexes of the cells that hold a formula


def check_package(fileobj: IO[bytes], *, size: int, limits: PackageLimits) -> None:
    """Raises UnreadableWorkbook unless `fileobj` looks like a plain, macro-free .xlsx within the limits."""
    if size > limits.max_file_bytes:
        raise UnreadableWorkbook(
            "too_large",
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_file_bytes)},
        )
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableWorkbook("not_xlsx", _("This is not an Excel workbook (.xlsx).")) from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise UnreadableWorkbook("not_xlsx", _("This is not an Excel workbook (.xlsx)."))
        names = {info.filename.lower(): info for info in members}
        if any(name.endswith("vbaproject.bin") for name in names):
            raise UnreadableWorkbook("macros", _("The workbook contains macros; save it as a plain .xlsx workbook."))
        if any(info.flag_bits & 0x1 for info in members):
            raise UnreadableWorkbook("encrypted", _("The workbook is password-protected; remove the password."))
        total = sum(info.file_size for info in members)
        if total > limits.max_uncompressed_bytes:
            raise UnreadableWorkbook(
                "zip_bomb",
                _("The workbook unpacks to more than %(limit)s MB; it is refused.")
                % {"limit": _megabytes(limits.max_uncompressed_bytes)},
            )
        for info in members:
            if info.file_size > RATIO_GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise UnreadableWorkbook(
                    "zip_bomb", _("The workbook is compressed suspiciously well (a zip bomb?); it is refused.")
                )
        content_types = names.get("[content_types].xml")
        if content_types is None or "xl/workbook.xml" not in names:
            raise UnreadableWorkbook("not_xlsx", _("This is not an Excel workbook (.xlsx)."))
        try:
            declared = archive.read(content_types).lower()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise UnreadableWorkbook("not_xlsx", _("This is not an Excel workbook (.xlsx).")) from exc
        if any(marker in declared for marker in MACRO_MARKERS):
            raise UnreadableWorkbook("macros", _("The workbook contains macros; save it as a plain .xlsx workbook."))
        if WORKBOOK_CONTENT_TYPE.encode() not in declared:
            raise UnreadableWorkbook("not_xlsx", _("This is not an Excel workbook (.xlsx)."))


def _damaged_xml(exc: Exception) -> UnreadableWorkbook:
    return UnreadableWorkbook("not_xlsx", _("The workbook's XML is damaged: %(error)s") % {"error": exc})


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f}".rstrip("0").rstrip(".")


def _refuse_dtd(*_args: Any) -> None:
    raise UnreadableWorkbook("not_xlsx", _("The workbook contains a document type declaration; it is refused."))


def _parser() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


_C, _V, _T, _ROW, _IS, _F, _RPH, _MERGE, _SI = range(1, 10)
_LOCAL_CODES = {
    "c": _C,
    "v": _V,
    "t": _T,
    "row": _ROW,
    "is": _IS,
    "f": _F,
    "rPh": _RPH,
    "mergeCell": _MERGE,
    "si": _SI,
}


class _TagCodes(dict[str, int]):
    """Element names as small ints, by local name: some writers prefix the main namespace (`x:c`). 0: skipped."""

    def learn(self, name: str) -> int:
        code = self[name] = _LOCAL_CODES.get(name.rpartition(":")[2], 0)
        return code


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def unescape(text: str) -> str:
    """OOXML writes characters XML cannot carry as _xHHHH_ (ST_Xstring)."""
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _parse_ref(ref: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(ref.replace("$", "").upper())
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


def is_date_format(code: str) -> bool:
    if code.strip().lower() in {"general", "@", ""}:
        return False
    return bool(_DATE_LETTERS.search(_FORMAT_NOISE.sub("", code).replace("General", "")))


class _SharedStrings:
    """The shared strings table in a temporary file: offsets in memory (8 bytes a string), text on disk."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._offsets = array.array("Q", [0])
        self._map: mmap.mmap | None = None

    def append(self, text: str) -> None:
        data = text.encode()
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def freeze(self) -> None:
        self._file.flush()
        if self._offsets[-1]:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._offsets) - 1:
            raise IndexError(index)
        if self._map is None:
            return ""
        return self._map[self._offsets[index] : self._offsets[index + 1]].decode()

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._file.close()


class XlsxReader:
    """One uploaded workbook, checked by `check_package` first. Use as a context manager."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        fileobj.seek(0)
        self._zip = zipfile.ZipFile(fileobj)
        self._strings: _SharedStrings | None = None
        self.merged_ranges: list[tuple[int, int, int, int]] = []  # (first row, first col, last row, last col)
        try:
            self._read_workbook()
        except (SafeET.ParseError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            self.close()
            raise UnreadableWorkbook("not_xlsx", _("This is not an Excel workbook (.xlsx).")) from exc
        except UnreadableWorkbook:
            self.close()
            raise

    def __enter__(self) -> "XlsxReader":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._strings is not None:
            self._strings.close()
            self._strings = None
        self._zip.close()

    # The package ----------------------------------------------------------------------------------------------

    def _xml(self, path: str) -> Any:
        return SafeET.fromstring(self._zip.read(path), forbid_dtd=True)

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels_path not in self._zip.NameToInfo:
            return {}
        found = {}
        for rel in self._xml(rels_path):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
        return found

    def _read_workbook(self) -> None:
        part = "xl/workbook.xml"
        root = self._xml(part)
        rels = self._relationships(part)
        self._sheets: dict[str, str] = {}
        self._date1904 = False
        for element in root.iter():
            tag = _local(element.tag)
            if tag == "workbookPr":
                self._date1904 = element.get("date1904", "").lower() in {"1", "true"}
            elif tag == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                kind, path = rels.get(rel_id, ("", ""))
                if kind == "worksheet" and path in self._zip.NameToInfo:
                    self._sheets[element.get("name", "")] = path
        by_kind = {kind: path for kind, path in rels.values()}
        self._strings_path = by_kind.get("sharedStrings")
        self._date_styles = self._read_styles(by_kind.get("styles"))

    def _read_styles(self, path: str | None) -> frozenset[int]:
        if not path or path not in self._zip.NameToInfo:
            return frozenset()
        root = self._xml(path)
        custom = {}
        for element in root.iter():
            if _local(element.tag) == "numFmt":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        dates = set()
        for element in root:
            if _local(element.tag) != "cellXfs":
                continue
            for index, xf in enumerate(element):
                fmt = int(xf.get("numFmtId", "0"))
                if fmt in custom:
                    if is_date_format(custom[fmt]):
                        dates.add(index)
                elif fmt in BUILTIN_DATE_FORMATS:
                    dates.add(index)
        return frozenset(dates)

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def _shared_strings(self) -> _SharedStrings:
        if self._strings is not None:
            return self._strings
        strings = _SharedStrings()
        self._strings = strings
        if self._strings_path and self._strings_path in self._zip.NameToInfo:
            self._parse(self._strings_path, *self._string_handlers(strings))
        strings.freeze()
        return strings

    def _string_handlers(self, strings: _SharedStrings) -> tuple[Callable[..., None], ...]:
        tags = _TagCodes()
        parts: list[str] = []
        state = {"text": False, "phonetic": 0}

        def start(name: str, _attrs: dict[str, str]) -> None:
            code = tags.get(name) or tags.learn(name)
            if code == _T and not state["phonetic"]:
                state["text"] = True
            elif code == _RPH:
                state["phonetic"] += 1  # Chinese and Japanese Excel keep pronunciation runs; they are not the text
            elif code == _SI:
                parts.clear()

        def end(name: str) -> None:
            code = tags.get(name)
            if code == _T:
                state["text"] = False
            elif code == _RPH:
                state["phonetic"] -= 1
            elif code == _SI:
                strings.append(unescape("".join(parts)))

        def text(data: str) -> None:
            if state["text"]:
                parts.append(data)

        return start, end, text

    def _parse(self, path: str, start: Any, end: Any, text: Any) -> None:
        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        try:
            with self._zip.open(path) as stream:
                while chunk := stream.read(READ_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _damaged_xml(exc) from exc
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise UnreadableWorkbook("not_xlsx", _("The workbook's zip archive is damaged.")) from exc

    # A sheet ---------------------------------------------------------------------------------------------------

    def sheet_path(self, name: str | None) -> str:
        if name in self._sheets:
            return self._sheets[name]
        if not self._sheets:
            raise UnreadableWorkbook("no_sheet", _("The workbook has no worksheet."))
        return next(iter(self._sheets.values()))

    def rows(self, sheet: str | None = None) -> Iterator[SheetRow]:
        """Every row holding at least one cell, in order. `merged_ranges` is filled once the rows are exhausted."""
        strings = self._shared_strings()
        date_styles = frozenset(str(index) for index in self._date_styles)  # compared with the raw s="…" attribute
        epoch = datetime.date(1904, 1, 1) if self._date1904 else datetime.date(1899, 12, 30)
        tags = _TagCodes()
        columns: dict[str, int] = {}
        done: list[SheetRow] = []
        cells: list[Any] = []
        formulas: list[int] = []
        parts: list[str] = []
        # Handlers run millions of times: state lives in one list, tags are small ints (see _TagCodes).
        # row number, column, type, style, capturing text, inside <is>, inside <rPh>, has formula
        state: list[Any] = [0, -1, "n", None, False, False, 0, False]

        def start(name: str, attrs: dict[str, str]) -> None:
            code = tags.get(name) or tags.learn(name)
            if code == _C:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    col = columns.get(letters)
                    if col is None:
                        col = columns[letters] = column_index(letters.upper())
                    state[1] = col
                else:
                    state[1] += 1
                state[2] = attrs.get("t", "n")
                state[3] = attrs.get("s")
                state[7] = False
                parts.clear()
            elif code == _V:
                state[4] = True
            elif code == _T:
                state[4] = state[5] and not state[6]
            elif code == _ROW:
                number = attrs.get("r")
                state[0] = int(number) if number else state[0] + 1
                state[1] = -1
                cells.clear()
                formulas.clear()
            elif code == _IS:
                state[5] = True
            elif code == _F:
                state[7] = True
            elif code == _RPH:
                state[6] += 1
            elif code == _MERGE:
                first, _sep, last = attrs.get("ref", "").partition(":")
                a, b = _parse_ref(first), _parse_ref(last or first)
                if a and b:
                    self.merged_ranges.append((a[0], a[1], b[0], b[1]))

        def end(name: str) -> None:
            code = tags.get(name)
            if code == _C:
                kind = state[2]
                if kind == "s" and parts:
                    value = strings[int(parts[0] if len(parts) == 1 else "".join(parts))]
                elif kind == "inlineStr":
                    value = unescape("".join(parts))
                else:
                    value = convert(kind, "".join(parts) if parts else None, state[3])
                col = state[1]
                if value is not None or state[7]:
                    if col >= len(cells):
                        cells.extend([None] * (col + 1 - len(cells)))
                    cells[col] = value
                    if state[7]:
                        formulas.append(col)
                state[4] = False
            elif code in (_V, _T):
                state[4] = False
            elif code == _ROW:
                if cells:
                    done.append(SheetRow(state[0], list(cells), tuple(formulas)))
            elif code == _IS:
                state[5] = False
            elif code == _RPH:
                state[6] -= 1

        def text(data: str) -> None:
            if state[4]:
                parts.append(data)

        def convert(kind: str, raw: str | None, style: str | None) -> Any:
            if kind == "s":
                if raw is None:
                    return None
                return strings[int(raw)]
            if kind == "n":
                if not raw:
                    return None
                number = float(raw)
                if style is not None and style in date_styles:
                    return epoch + datetime.timedelta(days=int(number))
                return number
            if kind == "inlineStr" or kind == "str":
                return unescape(raw or "")
            if kind == "b":
                return raw == "1"
            if kind == "e":
                return CellError(raw or "")
            if kind == "d" and raw:
                return datetime.date.fromisoformat(raw[:10])
            return raw

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        try:
            with self._zip.open(self.sheet_path(sheet)) as stream:
                while chunk := stream.read(READ_CHUNK):
                    parser.Parse(chunk, False)
                    if done:
                        yield from done
                        done.clear()
                parser.Parse(b"", True)
                yield from done
        except expat.ExpatError as exc:
            raise _damaged_xml(exc) from exc
        except (IndexError, ValueError) as exc:
            raise UnreadableWorkbook("not_xlsx", _("The workbook refers to a cell value it does not contain.")) from exc
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise UnreadableWorkbook("not_xlsx", _("The workbook's zip archive is damaged.")) from exc

    def count_rows(self, sheet: str | None = None) -> int:
        """How many <row> elements holding a cell value the sheet has, found by scanning the inflated bytes (no XML
        parsing): cheap enough for the upload check, and it does not trust <dimension>, which some writers omit.
        Empty rows (formatted or not) are not counted."""
        count, tail = 0, b""
        try:
            with self._zip.open(self.sheet_path(sheet)) as stream:
                while chunk := stream.read(1 << 20):
                    data = tail + chunk
                    count += len(_ROW_TAG.findall(data)) - len(_ROW_TAG.findall(tail))
                    count -= len(_EMPTY_ROW.findall(data)) - len(_EMPTY_ROW.findall(tail))
                    tail = data[-_COUNT_TAIL:]  # a row cut by the chunk is found whole here
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise UnreadableWorkbook("not_xlsx", _("The workbook's zip archive is damaged.")) from exc
        return count
