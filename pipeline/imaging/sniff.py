"""What a file really is, from its first bytes (never from its name).

``sniff`` returns a Pillow format name for the raster formats keyart decodes (HEIF is
pillow-heif's name for HEIC/HEIF; pipeline/imaging/formats.py says whether this install has it), or a
:class:`Refused` naming what the bytes are (HTML, PDF, PostScript, SVG, …) so the person who
uploaded it gets a useful message. PostScript/EPS and PDF are refused outright: Pillow hands
them to Ghostscript, which has a long history of remote-code-execution bugs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pillow format names keyart decodes; anything else is refused before Pillow sees it.
ALLOWED = ("PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP", "AVIF", "HEIF")
LABELS = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "TIFF": "TIFF",
    "WEBP": "WebP",
    "GIF": "GIF",
    "BMP": "BMP",
    "AVIF": "AVIF",
    "HEIF": "HEIC/HEIF",
}


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

# ISO base media 'ftyp' brands (ISO/IEC 23008-12, AV1 image format). An image sequence (avis, msf1,
# hevc…) is still decoded as its primary image, like an animated GIF's first frame.
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_ISO_BRANDS = {
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
        return _iso_media(head)
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


def _iso_media(head: bytes) -> str | Refused:
    """AVIF or HEIF from the ``ftyp`` box's major and compatible brands; videos are refused."""
    size = int.from_bytes(head[:4], "big")
    box = head[8 : min(max(size, 16), len(head), 256)]
    brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4) if i != 4}  # skip minor_version
    major = head[8:12]
    if major in _AVIF_BRANDS or (major in _HEIF_BRANDS and brands & _AVIF_BRANDS):
        return "AVIF"
    if major in _HEIF_BRANDS:
        return "HEIF"
    return Refused(_ISO_BRANDS.get(major, "an ISO media file (video or audio)"))


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
