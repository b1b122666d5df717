"""A privacy policy as blocks of text: headings, paragraphs, list items and table rows.

Readers for HTML (and a saved web page: .html, or .mht/.mhtml single-file archives), PDF (pypdf
text extraction) and plain text. Scripts, styles and markup never reach a block: only text does,
and it stays app-controlled text that a report must escape. Bad input raises `PolicyFileError`
with one line.
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

MAX_POLICY_BYTES = 32 * 1024 * 1024  # a policy (with a saved page's images) is far below this
MAX_PDF_PAGES = 500
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


class PolicyFileError(ValueError):
    """A policy file that cannot be read (one line for the user)."""


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | item | row
    text: str
    cells: tuple[str, ...] = ()  # table rows: the cell texts
    table: int = -1  # table rows: which table of the document
    header: bool = False  # a row of <th> cells


@dataclass
class Document:
    kind: str  # asset | file | string
    path: str
    sha256: str
    blocks: list[Block] = field(default_factory=list)
    # False for PDF text: lines of tables and lists look like paragraphs there
    structured: bool = True

    @property
    def language(self) -> str:
        return language_of(" ".join(b.text for b in self.blocks))


def language_of(text: str) -> str:
    """zh, en or mixed, by the share of CJK characters against Latin words (a Chinese policy
    names IMEI, SDK and Android ID in Latin letters and is still Chinese)."""
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if cjk == 0:
        return "en"
    share = cjk / (cjk + words)
    return "zh" if share > 0.7 else "en" if share < 0.2 else "mixed"


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


# --------------------------------------------------------------------------- HTML

_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "title"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "div", "section", "article", "blockquote", "pre", "dd", "dt", "body", "main",
           "header", "footer", "nav", "aside", "form", "center", "table", "ul", "ol", "dl"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source",
         "track", "wbr", "param"}


class _HtmlBlocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buf: list[str] = []
        self._kind = "para"
        self._skip = 0
        self._table = -1
        self._tables = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header_row = False

    def _flush(self) -> None:
        text = _clean("".join(self._buf))
        self._buf = []
        if text:
            self.blocks.append(Block(self._kind, text))
        self._kind = "para"

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "br":
            (self._cell if self._cell is not None else self._buf).append("\n")
        elif tag == "table":
            self._flush()
            self._table = self._tables
            self._tables += 1
        elif tag == "tr":
            self._flush()
            self._row, self._header_row = [], False
        elif tag in ("td", "th"):
            if self._row is None:  # a cell outside a row: treat the cell as its own row
                self._row, self._header_row = [], False
            self._cell = []
            self._header_row = self._header_row or tag == "th"
        elif tag in _HEADINGS or tag == "li" or tag in _BLOCKS:
            if self._cell is not None:  # block markup inside a cell stays in the cell
                self._cell.append(" ")
                return
            self._flush()
            self._kind = "heading" if tag in _HEADINGS else "item" if tag == "li" else "para"

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and not self._skip:
            (self._cell if self._cell is not None else self._buf).append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip or tag in _VOID:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._end_row()
        elif tag == "table":
            if self._row is not None:
                self._end_row()
            self._table = -1
        elif tag in _HEADINGS or tag == "li" or tag in _BLOCKS:
            if self._cell is None:
                self._flush()

    def _end_row(self):
        if self._cell is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        cells = tuple(self._row or ())
        self._row = None
        if any(cells):
            self.blocks.append(Block("row", " | ".join(c for c in cells if c), cells=cells,
                                     table=self._table, header=self._header_row))

    def handle_data(self, data):
        if self._skip:
            return
        (self._cell if self._cell is not None else self._buf).append(data)

    def close(self):
        super().close()
        if self._row is not None:
            self._end_row()
        self._flush()


def html_blocks(text: str) -> list[Block]:
    parser = _HtmlBlocks()
    parser.feed(text)
    parser.close()
    # a block holding <br>-separated lines is several paragraphs for sentence splitting
    out = []
    for b in parser.blocks:
        if b.kind != "row" and "\n" in b.text:
            out += [Block(b.kind, _clean(line)) for line in b.text.split("\n") if _clean(line)]
        else:
            out.append(Block(b.kind, _clean(b.text.replace("\n", " ")), b.cells, b.table,
                             b.header))
    return out


# --------------------------------------------------------------------------- plain text

_ITEM = re.compile(r"^\s*(?:[-*•·●○▪◦]|\(?\d{1,2}[.)、]|[（(][一二三四五六七八九十\d]+[)）]"
                   r"|[a-z][.)])\s*")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+|第[一二三四五六七八九十百\d]+[条章节部分]"
                      r"|[一二三四五六七八九十]+、|\d+(?:\.\d+)*\s+\S)")
_END_PUNCT = "。.!！?？;；:：,，"


def text_blocks(text: str) -> list[Block]:
    """Lines -> blocks: markdown-like table lines (with | or tabs) are rows, bulleted or
    numbered lines are items, short unpunctuated or numbered-section lines are headings."""
    out: list[Block] = []
    table, in_table = -1, False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            in_table = False
            continue
        sep = "|" if line.count("|") >= 2 else "\t" if "\t" in line else None
        if sep:
            cells = tuple(_clean(c) for c in line.strip("|").split(sep))
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue  # markdown header separator
            if not in_table:
                table += 1
                in_table = True
            out.append(Block("row", " | ".join(c for c in cells if c), cells=cells, table=table,
                             header=not any(b.table == table for b in out if b.kind == "row")))
            continue
        in_table = False
        clean = _clean(line)
        if _ITEM.match(line) and not _HEADING.match(line):
            out.append(Block("item", _clean(_ITEM.sub("", line, count=1))))
        elif _HEADING.match(line) and len(clean) <= 40 or (
                len(clean) <= 20 and clean[-1] not in _END_PUNCT):
            out.append(Block("heading", clean.lstrip("# ")))
        elif _ITEM.match(line):
            out.append(Block("item", _clean(_ITEM.sub("", line, count=1))))
        else:
            out.append(Block("para", clean))
    return out


# --------------------------------------------------------------------------- files


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (Chinese pages saved on
    Windows), never failing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def _pdf_text(data: bytes, name: str) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pinned dependency
        raise PolicyFileError(f"{name}: reading PDF needs pypdf (pip install pypdf)") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise PolicyFileError(f"{name}: encrypted PDF, cannot read its text") from None
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise PolicyFileError(f"{name}: {len(pages)} pages, over the {MAX_PDF_PAGES} "
                                  "page limit for a policy")
        # NFKC: PDF fonts give ligatures ("ﬁ" in "identiﬁers") and compatibility forms
        return unicodedata.normalize("NFKC", "\n".join(p.extract_text() or "" for p in pages))
    except PolicyFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise PolicyFileError(f"{name}: not a readable PDF ({type(exc).__name__})") from None


def _mhtml_html(data: bytes, name: str) -> str:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)  # bytes, or None when there is no body
            if not isinstance(payload, bytes):
                payload = b""
            charset = part.get_content_charset()
            try:
                return payload.decode(charset) if charset else decode(payload)
            except (LookupError, UnicodeDecodeError):
                return decode(payload)
    raise PolicyFileError(f"{name}: saved web page without an HTML part")


def blocks_of(data: bytes, name: str) -> list[Block]:
    """Blocks of a policy given as bytes; the format by magic bytes first, then by name."""
    low = name.lower()
    if data.startswith(b"%PDF-") or low.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise PolicyFileError(f"{name}: not a PDF file")
        return text_blocks(_pdf_text(data, name))
    if low.endswith((".mht", ".mhtml")) or data[:200].lower().startswith(b"mime-version:"):
        return html_blocks(_mhtml_html(data, name))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PolicyFileError(f"{name}: a binary file, not a policy (HTML, PDF or text)")
    text = decode(data)
    head = text[:2048].lower()
    if low.endswith((".html", ".htm", ".xhtml")) or "<html" in head or "<!doctype html" in head \
            or re.search(r"<(p|div|body|h[1-6]|table|li)\b", head):
        return html_blocks(text)
    return text_blocks(text)


def read_file(path: Path) -> Document:
    try:
        if path.is_dir():
            raise PolicyFileError(f"{path}: is a directory, not a policy file")
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise PolicyFileError(f"{path}: {size} bytes, over the "
                                  f"{MAX_POLICY_BYTES // 2**20} MB limit for a policy")
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyFileError(f"cannot read policy {path}: {exc.strerror or exc}") from None
    blocks = blocks_of(data, path.name)
    if not blocks:
        raise PolicyFileError(f"{path}: no text in it (a scanned PDF or an empty page?)")
    return Document("file", str(path), hashlib.sha256(data).hexdigest(), blocks,
                    structured=not data.startswith(b"%PDF-"))
