"""Characters that hide in text: which ones, and how to show them.

Study files are typed, pasted and exported by many hands, and some
characters survive that trip unseen: control characters (NUL, vertical tab…),
zero-width and other format characters (U+200B, U+FEFF…), and the two Unicode
non-characters U+FFFE and U+FFFF. This module is their one home:

* :data:`CONTROL` — characters no text cell may hold (they also make XML
  invalid); :mod:`lisa.io.tables` reports them as ``control-character``.
* :data:`INVISIBLE` — format characters that render as nothing (zero-width
  space and joiners, word joiner, byte-order mark, soft hyphen, direction
  marks and overrides).
* :func:`visible` — a message with every such character spelled out as
  ``<U+200B>``, so a problem never quotes a value that looks right but is not.

It imports nothing from lisa, so :mod:`lisa.errors` can use it.
"""

from __future__ import annotations

import re
import unicodedata

#: C0 control characters other than tab, line feed and carriage return, and U+FFFE/U+FFFF.
#: (Written with escapes both Python's ``re`` and polars' regex engine read.)
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
CONTROL = re.compile(CONTROL_PATTERN)

#: Format characters that take no space on screen (Unicode category Cf).
INVISIBLE_PATTERN = (
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
INVISIBLE = re.compile(INVISIBLE_PATTERN)

#: What :func:`visible` spells out: controls (all of C0 and C1, DEL), invisible
#: characters, line and paragraph separators, lone surrogates and non-characters.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff]"
)


def visible(text: str) -> str:
    """``text`` with each control or invisible character shown as ``<U+XXXX>``.

    Parameters
    ----------
    text
        Any text, typically a message quoting a value from a file.

    Returns
    -------
    str
        The same text; hidden characters are replaced by their code point.

    Examples
    --------
    >>> visible("Ann\\u200bLee")
    'Ann<U+200B>Lee'
    >>> visible("tab\\there")
    'tab<U+0009>here'
    """
    return _HIDDEN.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def strip_invisible(text: str) -> str:
    """``text`` without its :data:`INVISIBLE` characters."""
    return INVISIBLE.sub("", text)


def describe_char(char: str) -> str:
    """``'U+200B ZERO WIDTH SPACE'`` — the code point and its Unicode name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def name_key(text: str) -> str:
    """How two names are compared: the same name gives the same key.

    Unicode NFC (an accent typed as one character or as two is the same),
    invisible characters removed (zero-width spaces and joiners, byte-order
    marks, soft hyphens), case ignored (case-folded, so "STRAUSS" and "Strauß"
    match) and runs of spaces collapsed. The one rule for duplicate people,
    survey matching and deletion.

    Parameters
    ----------
    text
        A person's name, an organisation, or any label to match loosely.

    Returns
    -------
    str
        The comparison key.

    Examples
    --------
    >>> name_key("  José\\u200b  LEE ") == name_key("jose\\u0301 lee")
    True
    >>> name_key("  Ann   LEE ") == name_key("ann lee")
    True
    """
    text = unicodedata.normalize("NFC", strip_invisible(text))
    return unicodedata.normalize("NFC", " ".join(text.casefold().split()))



def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number and a thousands separator.

    >>> counted(1, "person", "people"), counted(1200, "role")
    ('1 person', '1,200 roles')
    """
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"
