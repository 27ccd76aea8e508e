"""SVG logos, rasterised with no way to reach outside the file.

SVG is XML that can name other resources (``<image href>``, ``<use>``, ``feImage``, CSS
``url()``/``@import``, fonts), which turns server-side rasterising into file disclosure or SSRF;
resvg, for one, happily reads an absolute path given as ``<image href="/etc/…">``. So the
source is checked first and refused unless every reference is a local ``#fragment`` or an
embedded ``data:image/…`` (itself validated by :func:`load_image`): no DTD or entities, no
scripts, no ``foreignObject``, no event handlers. Then resvg (a Rust renderer shipped as a
wheel, no network code, no system libraries) draws it with system fonts disabled.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import resvg_py

from pipeline.errors import BadInput
from pipeline.imaging.load import NOTHING_STORED, LoadedImage, load_image, read_capped

_FORBIDDEN_TAGS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
    "handler",
    "listener",
    "animation",
}
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp);base64,(.*)", re.IGNORECASE | re.DOTALL)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px|pt|mm|cm|in)?\s*$")
MAX_ASPECT = 20.0
EMBEDDED_MAX_PIXELS = 16_000_000


def load_svg(
    source: bytes | Path,
    *,
    name: str = "",
    max_bytes: int = 2_000_000,
    width: int = 1024,
    font_files: tuple[str, ...] = (),
) -> LoadedImage:
    """Check an SVG for external references, then rasterise it ``width`` pixels wide (RGBA sRGB)."""
    label = name or (source.name if isinstance(source, Path) else "logo.svg")
    data = read_capped(source, label, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(
            f"`{label}` isn't UTF-8 text, so it can't be an SVG I accept. {NOTHING_STORED}"
        ) from None
    root = _parse(text, label)
    notes = _check_references(root, text, label, max_bytes)
    aspect = _aspect(root, label)
    height = round(width * aspect)
    try:
        png = bytes(
            resvg_py.svg_to_bytes(
                svg_string=text, width=width, skip_system_fonts=True, font_files=list(font_files) or None
            )
        )
    except (ValueError, OSError) as exc:
        raise BadInput(f"`{label}` could not be drawn: {exc}. {NOTHING_STORED}") from None
    raster = load_image(png, name=label, max_bytes=len(png), max_pixels=width * (height + 2))
    return LoadedImage(
        raster.image.convert("RGBA"),
        "svg",
        "SVG",
        hashlib.sha256(data).hexdigest(),
        [*notes, f"rasterised from SVG at {raster.image.width}×{raster.image.height}"],
    )


def _refuse(label: str, why: str) -> BadInput:
    return BadInput(f"`{label}` isn't an SVG I can use: {why}. {NOTHING_STORED}")


def _parse(text: str, label: str) -> ET.Element:
    lowered = text.lower()
    # No DTD means no entities at all (billion laughs, XXE); expat then knows only the 5 built-ins.
    for marker in ("<!doctype", "<!entity"):
        if marker in lowered:
            raise _refuse(label, "it declares a DOCTYPE/ENTITY, which could pull in outside content")
    if "<?xml-stylesheet" in lowered:
        raise _refuse(label, "it links an external stylesheet")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise _refuse(label, f"it is not well-formed XML ({exc})") from None
    if _local(root.tag) != "svg":
        raise _refuse(label, f"its root element is <{_local(root.tag)}>, not <svg>")
    return root


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _check_references(root: ET.Element, text: str, label: str, max_bytes: int) -> list[str]:
    notes: list[str] = []
    for element in root.iter():
        tag = _local(element.tag).lower()
        if tag in _FORBIDDEN_TAGS:
            raise _refuse(label, f"it contains <{_local(element.tag)}>")
        for attr, value in element.attrib.items():
            attr_name = _local(attr).lower()
            if attr_name.startswith("on"):
                raise _refuse(label, f"it has a script handler `{attr_name}`")
            if attr_name in ("href", "src"):
                _check_target(value, label, max_bytes, notes)
    if "@import" in text.lower():
        raise _refuse(label, "its CSS imports another file (@import)")
    for match in _URL.finditer(text):
        _check_target(match.group(2), label, max_bytes, notes)
    return notes


def _check_target(target: str, label: str, max_bytes: int, notes: list[str]) -> None:
    target = target.strip()
    if target.startswith("#"):
        return
    embedded = _DATA_IMAGE.fullmatch(target)
    if not embedded:
        shown = target if len(target) <= 60 else target[:57] + "…"
        raise _refuse(
            label,
            f"it refers to an outside resource `{shown}` (only #fragments and "
            "embedded PNG/JPEG/GIF/WebP images are allowed)",
        )
    try:
        payload = base64.b64decode(re.sub(r"\s+", "", embedded.group(2)), validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(label, "an embedded image is not valid base64") from None
    # The renderer would decode it unguarded: put it through the same checks as an upload.
    inner = load_image(
        payload, name=f"{label} (embedded image)", max_bytes=max_bytes, max_pixels=EMBEDDED_MAX_PIXELS
    )
    notes.append(f"embedded {inner.format} image {inner.image.width}×{inner.image.height} checked")


def _aspect(root: ET.Element, label: str) -> float:
    """Height / width from the viewBox, else from width/height; refuses sizeless or extreme shapes."""
    box = root.get("viewBox")
    w = h = None
    if box:
        try:
            _, _, w, h = (float(v) for v in re.split(r"[\s,]+", box.strip()))
        except ValueError:
            raise _refuse(label, f"its viewBox `{box}` is not four numbers") from None
    else:
        lengths = [_LENGTH.match(root.get(key, "")) for key in ("width", "height")]
        if lengths[0] and lengths[1]:
            w, h = float(lengths[0].group(1)), float(lengths[1].group(1))
    if not w or not h or w <= 0 or h <= 0:
        raise _refuse(label, "it has no usable size (give it a viewBox or width and height)")
    aspect = h / w
    if not 1 / MAX_ASPECT <= aspect <= MAX_ASPECT:
        raise _refuse(label, f"its shape {w:g}×{h:g} is more extreme than 1:{MAX_ASPECT:g}")
    return aspect
