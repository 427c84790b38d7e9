"""Reading an article version: bytes in, a normalised :class:`Article` out.

Plain text is the primary format: the headline is the first paragraph, an optional update
note follows as a paragraph in parentheses, then the body paragraphs, separated by blank
lines. Optional ``---`` front matter carries metadata. A saved HTML page is read with
trafilatura into the same model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .errors import InputError
from .model import Article, ArticleMeta, parse_time
from .notes import leading_note

#: Larger inputs are refused: no news article comes close, and the limit keeps a stray
#: log file or video out of the archive.
MAX_INPUT_BYTES = 5 * 1024 * 1024

#: A parenthesised paragraph longer than this is body text, not an editor's note.
MAX_NOTE_LENGTH = 1000

FRONT_MATTER_KEYS = ("url", "story", "published", "updated", "byline", "source")

_WHITESPACE = re.compile(r"\s+")
# C0 and C1 control characters other than the whitespace ones, and U+FEFF (a byte-order
# mark that strayed into the text). They are invisible in articles, and left in they could
# drive a terminal (ANSI escapes) when text is printed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_HTML_START = re.compile(
    r"\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<article[\s>])", re.IGNORECASE
)


def read_article_file(path: str | Path) -> Article:
    """Read an article from a file. ``-`` is not handled here: callers pass the bytes."""
    file_path = Path(path)
    try:
        if file_path.is_dir():
            raise InputError(f"{file_path} is a directory, not an article file")
        size = file_path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(_too_large(str(file_path), size))
        data = file_path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file_path}: no such file") from None
    except PermissionError:
        raise InputError(f"{file_path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{file_path}: cannot read ({error.strerror})") from None
    return read_article(data, name=str(file_path))


def _too_large(name: str, size: int) -> str:
    return (
        f"{name} is {size / 1024 / 1024:.1f} MB; articles are limited to "
        f"{MAX_INPUT_BYTES // 1024 // 1024} MB"
    )


def read_article(data: bytes, *, name: str = "<stdin>", html: bool | None = None) -> Article:
    """Read one article version from ``data``.

    ``html`` forces the HTML or the plain-text reader; by default a file whose name ends in
    ``.html``/``.htm`` or whose text starts like an HTML page is read as HTML.

    >>> a = read_article(b"Talks\\n\\n(Adds comment)\\n\\nFirst  line\\nwrapped.\\n\\nSecond.")
    >>> a.headline, a.note, a.paragraphs
    ('Talks', '(Adds comment)', ('First line wrapped.', 'Second.'))
    """
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(_too_large(name, len(data)))
    if not data:
        raise InputError(f"{name} is empty")
    if b"\x00" in data:
        raise InputError(f"{name} looks like a binary file (it contains NUL bytes), not an article")
    if html:
        # A page from the web: trafilatura finds its character set (not always UTF-8).
        return _read_html(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name} contains only whitespace")
    if html is None:
        html = name.lower().endswith((".html", ".htm")) or bool(_HTML_START.match(text[:1024]))
    if html:
        return _read_html(text, name)
    meta, body = _split_front_matter(text, name)
    article = article_from_paragraphs(split_paragraphs(body), name=name)
    return replace(article, meta=meta)


def normalize_paragraph(text: str) -> str:
    """NFC, control characters removed, every run of whitespace one space, trimmed.

    >>> normalize_paragraph("  Turkey\\u00a0vowed\\n to  support ")
    'Turkey vowed to support'
    """
    # Most text is already normal (everything read back from the archive or an export is):
    # recognise it with C-speed checks. isprintable() is false for every control character
    # and every whitespace character other than the plain space.
    if (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
        and unicodedata.is_normalized("NFC", text)
    ):
        return text
    # Controls go first: removing one between a letter and a combining mark would otherwise
    # leave text that is not in NFC.
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return _WHITESPACE.sub(" ", text).strip()


def is_update_note(paragraph: str) -> bool:
    """True for a whole paragraph in parentheses, as editors write update notes.

    >>> is_update_note("(Updated with comments from paragraph 13)")
    True
    >>> is_update_note("(Reuters) - Fighting continued on Friday.")
    False
    """
    return (
        len(paragraph) <= MAX_NOTE_LENGTH
        and paragraph.startswith("(")
        and paragraph.endswith(")")
        and _balanced(paragraph[1:-1])
    )


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def article_from_paragraphs(paragraphs: list[str], *, name: str = "<input>") -> Article:
    """Build an Article from raw paragraphs: headline first, then an optional note."""
    cleaned = [p for p in (normalize_paragraph(p) for p in paragraphs) if p]
    if not cleaned:
        raise InputError(f"{name} contains no text")
    headline, rest = cleaned[0], cleaned[1:]
    note = None
    if rest and is_update_note(rest[0]):
        note, rest = rest[0], rest[1:]
    elif rest and (split := leading_note(rest[0])):
        # The note at the top of the body, run into the first paragraph.
        note, rest = split[0], [split[1], *rest[1:]]
    return Article(headline=headline, note=note, paragraphs=tuple(rest))


def split_paragraphs(text: str) -> list[str]:
    r"""Split text at blank lines (lines of only whitespace); paragraphs are not normalised.

    >>> split_paragraphs("One\nwrapped.\n   \nTwo.")
    ['\nOne\nwrapped.', 'Two.\n']
    """
    return _BLANK_LINE.split("\n" + text + "\n")


def _split_front_matter(text: str, name: str) -> tuple[ArticleMeta, str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return ArticleMeta(), text
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InputError(f"{name}: front matter starts with '---' but never ends") from None
    values: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep:
            raise InputError(f"{name}, line {number}: front matter lines are 'key: value'")
        if key not in FRONT_MATTER_KEYS:
            raise InputError(
                f"{name}, line {number}: unknown front matter key {key!r} "
                f"(known: {', '.join(FRONT_MATTER_KEYS)})"
            )
        values[key] = _unquote(value.strip())
    meta = ArticleMeta(
        url=values.get("url") or None,
        story=values.get("story") or None,
        published=_time_value(values, "published", name),
        updated=_time_value(values, "updated", name),
        byline=values.get("byline") or None,
        source=values.get("source") or None,
    )
    return meta, "\n".join(lines[end + 1 :])


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _time_value(values: dict[str, str], key: str, name: str) -> datetime | None:
    raw = values.get(key)
    if not raw:
        return None
    try:
        return parse_time(raw)
    except ValueError:
        raise InputError(f"{name}: front matter {key!r} is not an ISO 8601 time: {raw!r}") from None


def _read_html(text: str | bytes, name: str) -> Article:
    import trafilatura  # imported here: it is slow to load and only HTML input needs it

    extracted = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=False
    )
    document = extracted.as_dict() if isinstance(extracted, trafilatura.settings.Document) else {}
    if not str(document.get("text") or "").strip():
        raise InputError(f"{name}: no article text could be extracted from this HTML page")

    def field(key: str) -> str | None:
        value = document.get(key)
        return normalize_paragraph(str(value)) or None if value else None

    title = field("title")
    paragraphs = [normalize_paragraph(line) for line in str(document["text"]).split("\n")]
    paragraphs = [p for p in paragraphs if p]
    # trafilatura repeats the page's <h1> as the first line of the text.
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    article = article_from_paragraphs([title, *paragraphs] if title else paragraphs, name=name)
    published = None
    date = field("date")
    if date:
        try:
            published = parse_time(date)
        except ValueError:
            published = None
    meta = ArticleMeta(
        url=field("url"), published=published, byline=field("author"), source=field("sitename")
    )
    return replace(article, meta=meta)
