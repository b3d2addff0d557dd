"""Turning a statement's bytes into text, whatever encoding the bank chose.

Banks still export Windows-1252 and ISO-8859-1 next to UTF-8 (with or without BOM). The
order is: an explicit `encoding`, a BOM, the charset the file declares (OFX `CHARSET:`, XML
`encoding=`), strict UTF-8, strict cp1252 (the usual legacy export), then charset-normalizer's best guess.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_DECLARED = (
    re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)[\"']", re.I),
    re.compile(rb"^\s*CHARSET:\s*([A-Za-z0-9_.-]+)", re.I | re.M),
)
# OFX 1.x writes bare numbers: CHARSET:1252, CHARSET:8859-1.
_OFX_CHARSETS = {"1252": "cp1252", "8859-1": "iso-8859-1", "ISO-8859-1": "iso-8859-1", "NONE": "", "UTF-8": "utf-8"}


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(data: bytes) -> str | None:
    """The encoding the file itself claims, if it claims a usable one."""
    head = data[:1024]
    for pattern in _DECLARED:
        m = pattern.search(head)
        if m:
            raw = m.group(1).decode("ascii", "replace")
            name = _OFX_CHARSETS.get(raw.upper(), raw)
            if name and _known(name):
                return _known(name)
    return None


def decode(data: bytes, encoding: str | None = None) -> str:
    """Bytes -> str; never raises for a real-world file (the last resort is cp1252 with replacement)."""
    if encoding:
        return data.decode(encoding, errors="replace").lstrip("\ufeff")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    declared = declared_encoding(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and (declared in (None, "utf-8", "ascii") or text.isascii()):
        return text
    if declared and declared != "utf-8":
        # A file declaring 1252 that is valid UTF-8 with non-ASCII text was re-saved as UTF-8.
        return text if text is not None else data.decode(declared, errors="replace")
    try:
        # Western banks' legacy exports are overwhelmingly Windows-1252; statistical guessing
        # on a short statement picks Baltic or DOS code pages instead.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data[:65536]).best()
    if guess is not None and guess.encoding:
        return data.decode(guess.encoding, errors="replace")
    return data.decode("cp1252", errors="replace")
