"""What a file really is, from its first bytes (never from its name).

``sniff`` returns a Pillow format name for the raster formats keyart decodes, or a
:class:`Refused` naming what the bytes are (HTML, PDF, PostScript, SVG, …) so the person who
uploaded it gets a useful message. PostScript/EPS and PDF are refused outright: Pillow hands
them to Ghostscript, which has a long history of remote-code-execution bugs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pillow format names keyart decodes; anything else is refused before Pillow sees it.
ALLOWED = ("PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP")
LABELS = {"PNG": "PNG", "JPEG": "JPEG", "TIFF": "TIFF", "WEBP": "WebP", "GIF": "GIF", "BMP": "BMP"}


@dataclass(frozen=True)
class Refused:
    """Bytes keyart recognises but will not decode; ``what`` completes 'it is …'."""

    what: str


_RASTER: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),  # BigTIFF
    (b"MM\x00+", "TIFF"),
)

_OTHER: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"%!PS", "a PostScript/EPS file"),
    (b"\xc5\xd0\xd3\xc6", "an EPS file"),  # DOS EPS binary header
    (b"8BPS", "a Photoshop (PSD) file"),
    (b"PK\x03\x04", "a ZIP archive (or an Office/Sketch document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"\x00\x00\x01\x00", "an icon (ICO) file"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image (export it as JPEG or PNG)"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image (export it as JPEG or PNG)"),
)

_ISO_BRANDS = {  # ISO base media 'ftyp' brands
    b"heic": "a HEIC photo (export it as JPEG or PNG)",
    b"heix": "a HEIC photo (export it as JPEG or PNG)",
    b"mif1": "a HEIF image (export it as JPEG or PNG)",
    b"msf1": "a HEIF image (export it as JPEG or PNG)",
    b"avif": "an AVIF image (export it as JPEG or PNG)",
    b"avis": "an AVIF image (export it as JPEG or PNG)",
    b"qt  ": "a QuickTime video",
    b"isom": "an MP4 video",
    b"mp42": "an MP4 video",
    b"M4V ": "an MP4 video",
}

_HTML = re.compile(
    rb"^(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|script|meta|div|iframe|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_SVG = re.compile(
    rb"^(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+svg[^>]*>\s*)?<svg\b", re.IGNORECASE | re.DOTALL
)


def _text_head(head: bytes) -> bytes:
    """The head with a UTF-8 BOM and leading whitespace removed, for markup checks."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def sniff(head: bytes) -> str | Refused:
    """Identify a file from its first bytes (≥ 512 recommended). Empty input is the caller's job."""
    for magic, fmt in _RASTER:
        if head.startswith(magic):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:2] == b"BM" and len(head) >= 18 and head[14] in (12, 40, 52, 56, 64, 108, 124):
        return "BMP"  # "BM" alone is too weak: also check the DIB header size Pillow accepts
    if head[4:8] == b"ftyp":
        return Refused(_ISO_BRANDS.get(head[8:12], "an ISO media file (video or HEIF)"))
    if head[:4] == b"RIFF":
        return Refused("a RIFF media file (audio/video)")
    for magic, what in _OTHER:
        if head.startswith(magic):
            return Refused(what)
    text = _text_head(head)
    if _SVG.match(text):
        return Refused("an SVG drawing (SVG is accepted only as a brand-kit logo)")
    if _HTML.match(text):
        return Refused("an HTML file")
    if text[:1] in (b"{", b"["):
        return Refused("a JSON file")
    if text.startswith(b"<"):
        return Refused("an XML/markup file")
    if _looks_like_text(head):
        return Refused("a text file")
    return Refused("in a format I don't recognise")


def _looks_like_text(head: bytes) -> bool:
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the head.
        try:
            decoded = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in decoded)


def is_svg(head: bytes) -> bool:
    """Whether the bytes start like an SVG document (brand logos may be SVG; uploads may not)."""
    return bool(_SVG.match(_text_head(head)))
