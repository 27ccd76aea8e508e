"""Parameter types shared by several ops (validated, documented, JSON-friendly)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from pipeline.ops.base import OpParams
from pipeline.specs import UnknownSpecError, get_spec


def _known_spec(name: str) -> str:
    try:
        get_spec(name)
    except UnknownSpecError as exc:  # a KeyError; pydantic only turns ValueErrors into messages
        raise ValueError(str(exc)) from None
    return name


def _hex_colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"colour {value!r} must look like #RRGGBB")
    return value.upper()


SpecName = Annotated[str, AfterValidator(_known_spec), Field(min_length=1, max_length=64)]
HexColour = Annotated[str, AfterValidator(_hex_colour)]
Region = Literal["background", "subject", "box", "mask"]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]


class Box(OpParams):
    """A rectangle in fractions of the image (0 = left/top edge, 1 = right/bottom edge)."""

    left: float = Field(ge=0, le=1, description="Left edge, fraction of width.")
    top: float = Field(ge=0, le=1, description="Top edge, fraction of height.")
    right: float = Field(ge=0, le=1, description="Right edge, fraction of width.")
    bottom: float = Field(ge=0, le=1, description="Bottom edge, fraction of height.")

    def model_post_init(self, __context: object) -> None:
        if self.right <= self.left or self.bottom <= self.top:
            raise ValueError("box must have right > left and bottom > top")

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        return (
            round(self.left * width),
            round(self.top * height),
            max(round(self.right * width), round(self.left * width) + 1),
            max(round(self.bottom * height), round(self.top * height) + 1),
        )
