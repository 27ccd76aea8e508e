"""SVG logos: anything that could reach outside the file is refused before rendering."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import BadInput
from pipeline.imaging import load_svg

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(body: str, head: str = "", attrs: str = 'viewBox="0 0 100 50"') -> bytes:
    return f"{head}<svg {NS} {attrs}>{body}</svg>".encode()


def png_b64(im: Image.Image) -> str:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def test_self_contained_svg_renders_with_gradient_and_embedded_png() -> None:
    red = png_b64(Image.new("RGB", (4, 4), (255, 0, 0)))
    body = (
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#00f"/>'
        '<stop offset="1" stop-color="#00f"/></linearGradient></defs>'
        '<rect width="50" height="50" fill="url(#g)"/>'
        f'<image x="50" width="50" height="50" href="data:image/png;base64,{red}"/>'
    )
    result = load_svg(svg(body), name="logo.svg", width=200)
    assert result.format == "svg" and result.size == (200, 100) and result.image.mode == "RGBA"
    px = np.asarray(result.image)
    assert tuple(px[50, 50]) == (0, 0, 255, 255) and tuple(px[50, 150]) == (255, 0, 0, 255)
    assert any("embedded png image 4×4 checked" in n for n in result.notes)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '<image href="http://169.254.169.254/latest/meta-data" width="10" height="10"/>',
            "outside resource",
        ),
        ('<image xlink:href="file:///etc/passwd" width="10" height="10"/>', "outside resource"),
        ('<image href="/etc/hostname" width="10" height="10"/>', "outside resource"),
        ('<use href="other.svg#shape"/>', "outside resource"),
        ('<filter id="f"><feImage href="https://example.com/x.png"/></filter>', "outside resource"),
        ('<rect width="9" height="9" style="fill:url(https://example.com/p.svg#x)"/>', "outside resource"),
        ('<style>rect { fill: url("//evil.example/p") }</style>', "outside resource"),
        ("<style>@import 'https://example.com/a.css';</style>", "@import"),
        ('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="9" height="9"/>', "outside resource"),
        ("<script>alert(1)</script>", "<script>"),
        ("<foreignObject><div>hi</div></foreignObject>", "<foreignObject>"),
        ('<rect width="9" height="9" onload="alert(1)"/>', "script handler `onload`"),
    ],
)
def test_external_references_and_active_content_refused(body: str, reason: str) -> None:
    with pytest.raises(BadInput) as err:
        load_svg(svg(body), name="logo.svg")
    assert str(err.value).startswith("`logo.svg` isn't an SVG I can use:") and reason in str(err.value)


def test_doctype_and_entities_refused() -> None:
    xxe = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(BadInput, match="declares a DOCTYPE/ENTITY"):
        load_svg(svg("<text>&x;</text>", head=xxe), name="logo.svg")
    with pytest.raises(BadInput, match="external stylesheet"):
        load_svg(svg("", head='<?xml-stylesheet href="http://x/a.css"?>'), name="logo.svg")


def test_embedded_bomb_goes_through_the_pixel_limit() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 1, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    body = f'<image width="9" height="9" href="data:image/png;base64,{base64.b64encode(bomb).decode()}"/>'
    with pytest.raises(BadInput, match=r"^`logo.svg \(embedded image\)`: that image is 400 megapixels"):
        load_svg(svg(body), name="logo.svg")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (svg("", attrs=""), "no usable size"),
        (svg("", attrs='viewBox="0 0 1000 10"'), "more extreme than 1:20"),
        (b"<svg", "not well-formed XML"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "root element is <html>"),
    ],
)
def test_malformed_svg(raw: bytes, reason: str) -> None:
    with pytest.raises(BadInput, match=reason):
        load_svg(raw, name="logo.svg")


def test_size_cap_and_empty() -> None:
    with pytest.raises(BadInput, match="is empty"):
        load_svg(b"", name="logo.svg")
    with pytest.raises(BadInput, match="the limit is"):
        load_svg(svg("<!--" + "x" * 5000 + "-->"), name="logo.svg", max_bytes=1000)
