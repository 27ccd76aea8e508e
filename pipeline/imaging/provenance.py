"""Provenance XMP that keyart writes into every delivered file, and reads back.

Fields (namespace ``keyart:`` = ``urn:keyart:xmp:1.0#``): ``AssetRef`` (job/asset key),
``ParentSha256`` (the image it was made from), ``Ops`` (the op chain, an rdf:Seq), ``Campaign``,
``Spec``; plus ``xmp:CreatorTool``, ``tiff:X/YResolution`` and IPTC's
``Iptc4xmpExt:DigitalSourceType`` (http://cv.iptc.org/newscodes/digitalsourcetype/):

- ``trainedAlgorithmicMedia``: made by a generative model and nothing else (a `generate` master);
- ``compositeWithTrainedAlgorithmicMedia``: diffusion touched it (inpaint/outpaint/img2img on
  top of the master) — the code IPTC defines for in/outpainting;
- ``compositeSynthetic``: the classical engine *invented* pixels (expand fill, swap);
- ``composite``: elements from several sources combined (logo/copy by `brand`);
- ``algorithmicallyEnhanced``: only resampling, cropping, sharpening, colour/levels.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

IPTC_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "keyart": "urn:keyart:xmp:1.0#",
}
_FIELDS = {"asset_ref": "AssetRef", "parent_sha256": "ParentSha256", "campaign": "Campaign", "spec": "Spec"}
_GENERATING_OPS = {"expand", "swap", "clean"}  # classical ops that may paint pixels no camera saw
_PACKET = re.compile(rb"<x:xmpmeta\b.*?</x:xmpmeta>", re.DOTALL)


def op_chain(value: str | Iterable[str] | None) -> list[str]:
    """``"fit, upscale > brand"`` / ``"fit+brand"`` (the executor's form) / ``'["fit", "brand"]'`` / a list
    → ``["fit", "upscale", "brand"]``."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return [str(v) for v in json.loads(text)]
        return [part for part in re.split(r"[\s,>→|+]+", text) if part]
    return [str(v) for v in value]


def digital_source_type(ops: list[str], diffusion: bool, *, synthesized: bool = False) -> str:
    """The IPTC code that honestly describes an asset made by ``ops`` (see the module docstring);
    ``synthesized``: lineage says an op invented pixels (e.g. `fit` widened the canvas)."""
    if diffusion:
        only_generated = bool(ops) and set(ops) <= {"generate", "export"}
        return IPTC_TYPES + (
            "trainedAlgorithmicMedia" if only_generated else "compositeWithTrainedAlgorithmicMedia"
        )
    if synthesized or _GENERATING_OPS & set(ops):
        return IPTC_TYPES + "compositeSynthetic"
    if "brand" in ops:
        return IPTC_TYPES + "composite"
    return IPTC_TYPES + "algorithmicallyEnhanced"


def build_xmp(provenance: Mapping[str, object], *, source_type: str, dpi: int | None, tool: str) -> bytes:
    """A complete XMP packet (UTF-8) carrying keyart's provenance."""
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    meta = ET.Element(f"{{{NS['x']}}}xmpmeta")
    rdf = ET.SubElement(meta, f"{{{NS['rdf']}}}RDF")
    desc = ET.SubElement(rdf, f"{{{NS['rdf']}}}Description", {f"{{{NS['rdf']}}}about": ""})
    desc.set(f"{{{NS['Iptc4xmpExt']}}}DigitalSourceType", source_type)
    desc.set(f"{{{NS['xmp']}}}CreatorTool", tool)
    for key, name in _FIELDS.items():
        if provenance.get(key):
            desc.set(f"{{{NS['keyart']}}}{name}", str(provenance[key]))
    if dpi:
        for axis in ("XResolution", "YResolution"):
            desc.set(f"{{{NS['tiff']}}}{axis}", f"{dpi}/1")
        desc.set(f"{{{NS['tiff']}}}ResolutionUnit", "2")  # inches
    chain = op_chain(provenance.get("ops"))  # type: ignore[arg-type]
    if chain:
        seq = ET.SubElement(ET.SubElement(desc, f"{{{NS['keyart']}}}Ops"), f"{{{NS['rdf']}}}Seq")
        for name in chain:
            ET.SubElement(seq, f"{{{NS['rdf']}}}li").text = name
    body = ET.tostring(meta, encoding="unicode")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' + body + '<?xpacket end="r"?>'
    ).encode()


def read_provenance(data: bytes) -> dict[str, object]:
    """keyart's provenance from a delivered JPEG/PNG/WebP's XMP (``{}`` if there is none).

    The packet is found by scanning the bytes (APP1, iTXt and the WebP XMP chunk all store it
    uncompressed), then parsed without DTD support.
    """
    match = _PACKET.search(data)
    if not match or b"<!DOCTYPE" in match.group(0).upper():
        return {}
    try:
        meta = ET.fromstring(match.group(0))
    except ET.ParseError:
        return {}
    desc = meta.find(f"{{{NS['rdf']}}}RDF/{{{NS['rdf']}}}Description")
    if desc is None:
        return {}
    out: dict[str, object] = {}
    for key, name in _FIELDS.items():
        if (value := desc.get(f"{{{NS['keyart']}}}{name}")) is not None:
            out[key] = value
    out["ops"] = [
        li.text or "" for li in desc.iterfind(f"{{{NS['keyart']}}}Ops/{{{NS['rdf']}}}Seq/{{{NS['rdf']}}}li")
    ]
    out["digital_source_type"] = desc.get(f"{{{NS['Iptc4xmpExt']}}}DigitalSourceType")
    out["creator_tool"] = desc.get(f"{{{NS['xmp']}}}CreatorTool")
    if (res := desc.get(f"{{{NS['tiff']}}}XResolution")) is not None:
        out["dpi"] = int(res.split("/")[0])
    return out
