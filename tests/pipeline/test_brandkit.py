"""Brand kits: the demo kits load; paths cannot leave the kit's folder; SVG logos are checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.brandkit import load_brand_kit
from pipeline.errors import BadInput

EXAMPLES = Path(__file__).parents[2] / "examples" / "brand"


@pytest.mark.parametrize("kit_file", ["brand.json", "brand-svg.json"])
def test_demo_kits_load(kit_file: str) -> None:
    kit = load_brand_kit(EXAMPLES / kit_file)
    assert kit.logo is not None and kit.logo.mode == "RGBA"
    alpha = np.asarray(kit.logo.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha.max() == 255  # transparent corner, opaque body
    assert kit.font_bytes is not None and kit.font_bytes[:4] == b"\x00\x01\x00\x00"
    assert kit.text_color == "#FFFFFF" and kit.cta == "Shop now"


def make_kit(tmp_path: Path, **fields: object) -> Path:
    folder = tmp_path / "kit"
    folder.mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / "logo.png", folder / "logo.png")
    path = folder / "brand.json"
    path.write_text(json.dumps({"name": "Acme", **fields}))
    return path


@pytest.mark.parametrize("logo", ["../secret.png", "/etc/passwd", "sub/../../secret.png", "..\\secret.png"])
def test_paths_may_not_leave_the_kit_folder(tmp_path: Path, logo: str) -> None:
    (tmp_path / "secret.png").write_bytes((EXAMPLES / "logo.png").read_bytes())
    with pytest.raises(
        BadInput, match=r"^`brand.json`: the logo path .* (leaves the kit's folder|must be relative)"
    ):
        load_brand_kit(make_kit(tmp_path, logo=logo))


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes((EXAMPLES / "logo.png").read_bytes())
    kit = make_kit(tmp_path, logo="link.png")
    (kit.parent / "link.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(BadInput, match="leaves the kit's folder"):
        load_brand_kit(kit)


def test_svg_logo_with_external_reference_refused_via_the_brand_path(tmp_path: Path) -> None:
    kit = make_kit(tmp_path, logo="logo.svg")
    (kit.parent / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<image href="http://attacker.example/track.png" width="10" height="10"/></svg>'
    )
    with pytest.raises(
        BadInput, match=r"^`logo.svg` isn't an SVG I can use: it refers to an outside resource"
    ):
        load_brand_kit(kit)


def test_svg_detected_by_content_not_extension(tmp_path: Path) -> None:
    kit = make_kit(tmp_path, logo="logo.png")
    (kit.parent / "logo.png").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 2">'
        '<rect width="4" height="2" fill="#0f0"/></svg>'
    )
    logo = load_brand_kit(kit).logo
    assert logo is not None and logo.size == (1024, 512) and logo.getpixel((9, 9)) == (0, 255, 0, 255)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"logo": "logo.png", "colour": "#fff"}, "colour: Extra inputs are not permitted"),
        ({"colors": {"text": "white"}}, "must look like #RRGGBB"),
        ({"font": "logo.png"}, "isn't a TrueType/OpenType font"),
        ({"logo": "missing.png"}, "`missing.png` doesn't exist"),
    ],
)
def test_invalid_kits(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        load_brand_kit(make_kit(tmp_path, **fields))


def test_not_json_and_html_logo(tmp_path: Path) -> None:
    kit = make_kit(tmp_path, logo="logo.png")
    (kit.parent / "logo.png").write_text("<html><body>not a logo</body></html>")
    with pytest.raises(BadInput, match="it is an HTML file"):
        load_brand_kit(kit)
    kit.write_text("{name: nope")
    with pytest.raises(BadInput, match="isn't valid JSON"):
        load_brand_kit(kit)
