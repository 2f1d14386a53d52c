"""A line of a program's output as a terminal would leave it on screen.

Progress bars rewrite their line with carriage returns (``\\r[###...] 3/30``) and colour
it with ANSI escape sequences; printed as they are into a table cell, they would show the
first state of the bar and the escapes as garbage. ``as_displayed`` plays the line the way
a terminal does: escape sequences are dropped, ``\\r`` returns to the first column, ``\\b``
goes back one, later characters overwrite earlier ones, other control characters vanish.
"""
from __future__ import annotations

import re

_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]"            # CSI: colours, cursor moves
                      r"|\][^\x07\x1b]*(?:\x07|\x1b\\)?"        # OSC: titles, links
                      r"|[@-Z\\-_])")                           # other two-byte escapes
_SPECIAL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def as_displayed(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
    text = _ESCAPES.sub("", text)
    screen: list[str] = []
    column = 0
    for char in text:
        if char == "\r":
            column = 0
        elif char == "\b":
            column = max(0, column - 1)
        elif char == "\t" or char >= " " and char != "\x7f":
            if column < len(screen):
                screen[column] = char
            else:
                screen.append(char)
            column += 1
    return "".join(screen)
