"""What newsdesk prints about inputs it did not write itself: file names, reasons, errors."""

from __future__ import annotations


def printable(text: object) -> str:
    """`text` as one line that shows on a terminal as it is, and cannot drive it.

    Every character Python does not deem printable (control characters such as newline and
    ESC, separators other than the space, bidi and zero-width format characters, lone
    surrogates) is written as its escape: `\\n`, `\\x1b`, `\\u202e`, `\\udc80`. Markup is
    not interpreted here: print the result with rich's markup (and emoji codes) off.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
