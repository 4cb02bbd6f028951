"""What a reader sees of an HTML page, and the English words left in it: the heuristic behind
tests/test_chinese_everywhere.py.

Visible text is every text node outside <script>, <style>, <template> and <pre> (data shown verbatim, such as the
payload sent to the platform), plus the attributes a reader meets
(placeholder, title, aria-label, alt, the label of a submit button). A "word" is a run of two or more Latin letters
standing alone (not glued to digits or underscores, so a credit code such as 91330100MA2H4K7X5Q or a code such as
no_honours is not a word); an API scope such as records:read and a web address are codes too. Abbreviations and brand
names a Chinese interface writes in Latin letters are allowed.
"""

import re
from html.parser import HTMLParser

# Written in Latin letters in Chinese interfaces too: file formats, standards, product and protocol names.
ALLOWED_WORDS = frozenset(
    {
        "API",
        # PPP modes (BOT, TOT, ROT, BOO; MC a management contract) are written so in Chinese texts too.
        "BOO",
        "BOT",
        "MC",
        "ROT",
        "TOT",
        "CSV",
        "csv",
        "English",  # the language switcher names each language in itself
        "Excel",
        "GB",
        "HTTP",
        "ID",
        "IP",
        "JPEG",
        "JPG",
        "JSON",
        "KB",
        "LDAP",
        "MB",
        "OFD",
        "OpenAPI",
        "PDF",
        "pdf",  # the extension of a file's name (整改报告.pdf)
        "PNG",
        "PPP",
        "REST",
        "SHA",
        "xlsx",
        "XLSX",
    }
)
HIDDEN_ELEMENTS = frozenset({"script", "style", "template", "pre"})
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})
URL = re.compile(r"https?://[^\s<>\"']+")
SCOPE = re.compile(r"\b[A-Za-z]+:[a-z]+\b")
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z'’]*[A-Za-z](?![A-Za-z0-9_])")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_ELEMENTS:
            self._hidden_depth += 1
            return
        values = dict(attrs)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.pieces.append(str(values[name]))
        if tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUTS and values.get("value"):
            self.pieces.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth and data.strip():
            self.pieces.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.pieces)


def english_words(html: str, *, data: frozenset[str] = frozenset()) -> list[str]:
    """The Latin words of the page's visible text that are neither allowed codes nor part of the data (`data`:
    strings users typed, such as user names and file names, removed before looking)."""
    text = visible_text(html)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = URL.sub(" ", text)  # an address printed for the reader (a verification link) is not a sentence
    text = SCOPE.sub(" ", text)
    return [word for word in WORD.findall(text) if word not in ALLOWED_WORDS]
