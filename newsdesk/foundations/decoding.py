"""Bytes to text for every reader, the HTML engine and the one-file tools: one decoder, one
binary sniffer.

Kept apart from the readers so that `newsdesk strip` can decode a file without importing them.
"""

from __future__ import annotations

import codecs
import re
import threading


class BadInput(ValueError):
    """Input that cannot become an article; the message is the one-line reason."""


_counter = threading.local()
REPLACE = "newsdesk-count-replace"


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _counter.value = getattr(_counter, "value", 0) + (error.end - error.start)
    return "\ufffd", error.end


codecs.register_error(REPLACE, _count_and_replace)

MARK = "newsdesk-count-and-mark"
MARKER = "\udfff"
"""What MARK puts where bytes could not be decoded: a lone surrogate, which no correct
decoding yields, so a reader re-encoding a stream can find each replacement in the text."""


def _count_and_mark(error: UnicodeError) -> tuple[str, int]:
    _, end = _count_and_replace(error)
    marks = getattr(_counter, "marks", None)
    if marks is None:
        marks = _counter.marks = []
    marks.append(end - error.start)
    return MARKER, end


codecs.register_error(MARK, _count_and_mark)


def take_marks() -> list[int]:
    """The bytes replaced at each MARKER since the last call, in this thread, in order."""
    marks = getattr(_counter, "marks", [])
    _counter.marks = []
    return marks


def reset_replaced() -> None:
    """Start counting the bytes the REPLACE error handler replaces, in this thread."""
    _counter.value = 0


def replaced() -> int:
    """Bytes replaced in this thread since `reset_replaced`."""
    return getattr(_counter, "value", 0)


def counted_decode(data: bytes, encoding: str) -> tuple[str, int]:
    _counter.value = 0
    text = data.decode(encoding, REPLACE)
    return text, _counter.value


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(head: bytes) -> tuple[str, int] | None:
    """(encoding, BOM length) when the bytes start with a Unicode byte order mark."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None


_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def looks_binary(data: bytes | str) -> bool:
    """A NUL anywhere, or many control characters in the first 8 KiB: bytes that are not text
    in any encoding we read, or text that was made from such bytes."""
    if isinstance(data, str):
        if "\x00" in data:
            return True
        sample = data[:8192].encode("utf-8", "surrogatepass")  # controls are ASCII in both
    else:
        if b"\x00" in data:
            return True
        sample = data[:8192]
    controls = len(sample.translate(None, _NOT_CONTROL))  # what is left are the controls
    return controls > len(sample) * 0.05


def _guess(data: bytes) -> str:
    """The most likely legacy encoding of bytes that are not UTF-8 (the guesser is imported
    only when one is needed: it is slow to import)."""
    import charset_normalizer

    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise BadInput("undecodable text: not UTF-8 and no other encoding fits")
    # single-byte code pages often tie; the web's most common legacy one wins a tie
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return next((m for m in tied if m.encoding == "cp1252"), best).encoding


def choose_encoding(head: bytes, complete: bool = True) -> tuple[str, int]:
    """(encoding, BOM length) for bytes starting with `head`: a BOM, else UTF-8 unless it
    fails badly (then a guess); raises BadInput for binary content."""
    if found := bom_encoding(head):
        return found
    if looks_binary(head):
        raise BadInput("binary content, not text")
    _counter.value = 0
    text = codecs.getincrementaldecoder("utf-8")(errors=REPLACE).decode(head, final=complete)
    bad = _counter.value
    if bad == 0:
        return "utf-8", 0
    # UTF-8 fails badly when bad bytes outnumber the characters it decodes beyond ASCII
    # (text in a legacy code page has almost none of those)
    good = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    if bad <= good:
        return "utf-8", 0
    return _guess(head), 0


def decode_counted(data: bytes) -> tuple[str, str, int]:
    """(text, encoding, replaced): UTF-8 with bad bytes replaced, BOM-marked UTF-16/32, or a
    guessed legacy encoding when UTF-8 fails badly."""
    encoding, skip = choose_encoding(data)
    text, replaced = counted_decode(data[skip:], encoding)
    if encoding.startswith(("utf-16", "utf-32")):
        encoding = encoding[:6]
    return text, encoding, replaced


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes: UTF-8 when it is (bad bytes replaced), else the most likely encoding."""
    text, encoding, _ = decode_counted(data)
    return text, encoding


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """An HTML page's bytes to text: the charset its `<meta>` declares (in the first 4 KiB),
    when Python knows it and there is no BOM, else as `decode` does."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and bom_encoding(data[:4]) is None:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode(data)[0]


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head
