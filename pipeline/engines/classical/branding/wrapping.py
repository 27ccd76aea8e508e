"""Copy set over as many lines as the space holds, with balanced line breaks.

Greedy filling leaves a long first line and an orphan ("Shop the whole autumn collection /
today"); a designer balances the lines. For a given number of lines the breaks minimise the sum
of squared line widths (with the total fixed, that is the most even set of lines), found by
dynamic programming over break opportunities: spaces, and between CJK characters (except before
closing punctuation and small kana, and after opening brackets: basic kinsoku).
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass

from PIL import ImageFont

from pipeline.engines.classical.branding.fonts import FontFile, font_at, visible_text

IntBox = tuple[int, int, int, int]
LINE_PITCH = 1.22  # baseline-to-baseline distance in em: tight for a call to action, clear of descenders
MAX_EXTRA_LINES = 3  # besides the fewest lines that fit, offer up to this many more (narrower blocks)
_NO_BREAK_BEFORE = set(
    "、。，．・：；？！）」』】〕〉》ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜…‥,.!?:;)]}%"
)
_NO_BREAK_AFTER = set("（「『【〔〈《([{")


@dataclass(frozen=True)
class Token:
    text: str
    space_before: bool  # a space separates it from the previous token on the same line


def is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH KATAKANA"))


def tokens(text: str) -> list[Token]:
    """Unbreakable pieces of ``text``: words, and single CJK characters (with their kinsoku neighbours)."""
    out: list[Token] = []
    for word in text.split():
        pieces: list[str] = []
        for char in word:
            joins = pieces and not (
                (is_cjk(char) or is_cjk(pieces[-1][-1]))
                and char not in _NO_BREAK_BEFORE
                and pieces[-1][-1] not in _NO_BREAK_AFTER
            )
            if joins:
                pieces[-1] += char
            else:
                pieces.append(char)
        out += [Token(piece, i == 0 and bool(out)) for i, piece in enumerate(pieces)]
    return out


@dataclass(frozen=True)
class CopyBlock:
    """Copy laid out at one size: its lines and their ink boxes relative to each line's draw origin."""

    px: int
    lines: tuple[str, ...]
    inks: tuple[IntBox, ...]
    pitch: int
    shaped: bool

    @property
    def size(self) -> tuple[int, int]:
        width = max(ink[2] - ink[0] for ink in self.inks)
        top = self.inks[0][1]
        bottom = max(ink[3] + i * self.pitch for i, ink in enumerate(self.inks))
        return width, bottom - top

    def line_boxes(self, at: tuple[int, int], align: str) -> list[IntBox]:
        """Each line's ink box when the block's top-left is at ``at``, lines aligned left/center/right."""
        width = self.size[0]
        boxes = []
        for i, ink in enumerate(self.inks):
            w = ink[2] - ink[0]
            dx = {"left": 0, "center": (width - w) // 2, "right": width - w}[align]
            y0 = at[1] + ink[1] + i * self.pitch - self.inks[0][1]
            boxes.append((at[0] + dx, y0, at[0] + dx + w, y0 + ink[3] - ink[1]))
        return boxes


def layouts(
    text: str, font: FontFile, shaped: bool, sizes: list[int], max_w: int, max_h: int
) -> list[CopyBlock]:
    """Every balanced layout of ``text`` that fits ``max_w``×``max_h``, largest size first.

    Per size: the fewest lines that fit the width, and up to ``MAX_EXTRA_LINES`` more (narrower,
    taller blocks, for spaces beside a face), as long as the lines fit the height.
    """
    words = tokens(visible_text(text, shaped))
    found: list[CopyBlock] = []
    for px in sizes:
        face = font_at(font.data, px, shaped)
        pitch = max(px + 1, round(LINE_PITCH * px))
        line_h = _line_height(face)
        most = max(0, (max_h - line_h) // pitch + 1)
        widths = _Widths(words, [face.getlength(t.text) for t in words], face.getlength(" "))
        fewest = _fewest_lines(widths, max_w)
        if fewest is None or fewest > most:
            continue
        for count in range(fewest, min(most, fewest + MAX_EXTRA_LINES, len(words)) + 1):
            breaks = balanced_breaks(widths, max_w, count)
            if breaks is None:
                continue
            block = _block(words, breaks, face, px, pitch, shaped)
            if block.size[0] <= max_w and block.size[1] <= max_h:
                found.append(block)
    return found


def _line_height(face: ImageFont.FreeTypeFont) -> int:
    ascent, descent = face.getmetrics()
    return int(ascent + descent)


class _Widths:
    """Widths of runs of tokens in O(1) (prefix sums of advances and of separating spaces)."""

    def __init__(self, words: list[Token], advances: list[float], space: float) -> None:
        self.n = len(words)
        self.advances = advances
        self._adv = [0.0, *itertools.accumulate(advances)]
        self._spaces = [0, *itertools.accumulate(int(t.space_before) for t in words)]
        self._space = space

    def line(self, a: int, b: int) -> float:
        """Width of tokens ``a`` … ``b - 1`` set on one line."""
        return self._adv[b] - self._adv[a] + self._space * (self._spaces[b] - self._spaces[a + 1])


def _fewest_lines(widths: _Widths, max_w: int) -> int | None:
    if widths.n == 0:
        return 0
    if max(widths.advances) > max_w:
        return None
    lines, start = 1, 0
    for i in range(1, widths.n):
        if widths.line(start, i + 1) > max_w:
            lines, start = lines + 1, i
    return lines


def balanced_breaks(widths: _Widths, max_w: int, count: int) -> list[int] | None:
    """Start indices of ``count`` lines minimising Σ width² (every line ≤ ``max_w``), or None."""
    n = widths.n
    best: list[list[float]] = [[math.inf] * (n + 1) for _ in range(count + 1)]
    back: list[list[int]] = [[-1] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for lines in range(1, count + 1):
        for end in range(lines, n + 1):
            for start in range(end - 1, lines - 2, -1):
                width = widths.line(start, end)
                if width > max_w:
                    break  # starting earlier only makes the line longer
                cost = best[lines - 1][start] + width * width
                if cost < best[lines][end]:
                    best[lines][end], back[lines][end] = cost, start
    if math.isinf(best[count][n]):
        return None
    starts, end = [], n
    for lines in range(count, 0, -1):
        end = back[lines][end]
        starts.append(end)
    return starts[::-1]


def _block(
    words: list[Token], starts: list[int], face: ImageFont.FreeTypeFont, px: int, pitch: int, shaped: bool
) -> CopyBlock:
    lines, inks = [], []
    for start, end in zip(starts, [*starts[1:], len(words)], strict=True):
        line = "".join(
            (" " if t.space_before and i > start else "") + t.text
            for i, t in enumerate(words[start:end], start)
        )
        ink = face.getbbox(line)
        lines.append(line)
        inks.append((math.floor(ink[0]), math.floor(ink[1]), math.ceil(ink[2]), math.ceil(ink[3])))
    return CopyBlock(px, tuple(lines), tuple(inks), pitch, shaped)
