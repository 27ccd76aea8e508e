"""Brand kits: the demo kits load; paths cannot leave the kit's folder; SVG logos and fonts are checked;
fallback fonts load in order and reach the workers."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data
from sqlmodel import select

from pipeline.brandkit import BrandKit, load_brand_kit
from pipeline.errors import BadInput
from pipeline.jobs import submit_plan
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import Master, ingest_master, run_plan
from pipeline.workers import record_inputs
from pipeline.workers.jobrun import run_job
from storage.db import read_session, session_scope
from storage.models import Asset, Job
from storage.settings import Settings
from tests.support.fonts import build_font, latin_bars

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
    folder.mkdir(parents=True, exist_ok=True)
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
        ({"layout": {"panel": "mush"}}, "layout.panel: Input should be 'auto', 'brand'"),
        ({"layout": {"backdrop": "black"}}, "layout.backdrop: Input should be 'white'"),
    ],
)
def test_invalid_kits(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        load_brand_kit(make_kit(tmp_path, **fields))


def test_the_kits_layout_choice_reaches_fit(tmp_path: Path) -> None:
    from pipeline.ops.base import Geometry, OpContext, OpInputs
    from pipeline.ops.fit import FitParams, fit

    default = load_brand_kit(make_kit(tmp_path / "a"))
    assert (default.panel, default.backdrop) == ("auto", "white")
    kit = load_brand_kit(make_kit(tmp_path / "b", layout={"panel": "ambient", "backdrop": "brand"}))
    assert kit.style()["panel"] == "ambient" and kit.style()["backdrop"] == "brand"
    master = Image.fromarray(data.astronaut())
    inputs = OpInputs(master, master, Geometry.identity(master.size), style=kit.style())
    banner = fit(inputs, FitParams(spec="iab-billboard"), OpContext(seed=0))
    assert banner.layout is not None and banner.layout["fill"]["kind"] == "ambient"
    asked = fit(inputs, FitParams(spec="iab-billboard", panel="border_gradient"), OpContext(seed=0))
    assert asked.layout is not None and asked.layout["fill"]["kind"] == "border_gradient"  # the step wins


def test_not_json_and_html_logo(tmp_path: Path) -> None:
    kit = make_kit(tmp_path, logo="logo.png")
    (kit.parent / "logo.png").write_text("<html><body>not a logo</body></html>")
    with pytest.raises(BadInput, match="it is an HTML file"):
        load_brand_kit(kit)
    kit.write_text("{name: nope")
    with pytest.raises(BadInput, match="isn't valid JSON"):
        load_brand_kit(kit)


def font_kit(tmp_path: Path, fonts: dict[str, str], **fields: object) -> Path:
    kit = make_kit(tmp_path, font="DejaVuSans-Bold.ttf", fonts=fonts, **fields)
    shutil.copy(EXAMPLES / "DejaVuSans-Bold.ttf", kit.parent / "DejaVuSans-Bold.ttf")
    build_font(
        kit.parent / "TestJP.ttf", "Test JP", {**latin_bars(), **{c: (850, 800) for c in "春のセール"}}
    )
    return kit


def test_fallback_fonts_load_in_the_kits_order_and_travel_with_their_names(tmp_path: Path) -> None:
    kit = load_brand_kit(font_kit(tmp_path, {"ja": "TestJP.ttf", "emoji": "DejaVuSans-Bold.ttf"}))
    assert [(f.key, f.file) for f in kit.fonts()] == [
        ("font", "DejaVuSans-Bold.ttf"),
        ("font:ja", "TestJP.ttf"),
        ("font:emoji", "DejaVuSans-Bold.ttf"),
    ]
    assert list(kit.texts()) == ["font", "font:ja", "font:emoji"]
    assert kit.texts()["font:ja"] == (tmp_path / "kit" / "TestJP.ttf").read_bytes()
    assert kit.style()["fonts"] == [{"key": f.key, "file": f.file} for f in kit.fonts()]
    assert load_brand_kit(EXAMPLES / "brand.json").fallback_fonts == []


@pytest.mark.parametrize(
    ("fonts", "message"),
    [
        ({"ja": "../TestJP.ttf"}, r"the `fonts.ja` font path `../TestJP.ttf` leaves the kit's folder"),
        ({"ja": "/usr/share/fonts/x.ttf"}, r"the `fonts.ja` font path .* must be relative"),
        ({"ja": "logo.png"}, "`logo.png` isn't a TrueType/OpenType font"),
        ({"ja": "missing.otf"}, "`missing.otf` doesn't exist"),
        ({"j a": "TestJP.ttf"}, r"fonts: Value error, `j a` isn't a script or market code"),
        ({f"s{i}": "TestJP.ttf" for i in range(9)}, "fonts: Dictionary should have at most 8 items"),
    ],
)
def test_invalid_fallback_fonts(tmp_path: Path, fonts: dict[str, str], message: str) -> None:
    (tmp_path / "TestJP.ttf").write_bytes(b"\x00\x01\x00\x00")
    with pytest.raises(BadInput, match=message):
        load_brand_kit(font_kit(tmp_path, fonts))


def test_a_font_without_a_unicode_cmap_is_refused(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    kit = font_kit(tmp_path, {"ja": "NoCmap.ttf"})
    font = TTFont(kit.parent / "TestJP.ttf")
    del font["cmap"]
    font.save(kit.parent / "NoCmap.ttf")
    with pytest.raises(BadInput, match=r"(`NoCmap\.ttf` has no Unicode character map|damaged font)"):
        load_brand_kit(kit)


def jp_variant(settings: Settings, tmp_path: Path) -> tuple[Runtime, BrandKit, Master, Plan]:
    """A runtime, a kit with a Japanese fallback font, the demo master and a one-variant JP plan."""
    runtime = Runtime(settings)
    runtime.migrate()
    kit = load_brand_kit(font_kit(tmp_path, {"ja": "TestJP.ttf"}))
    source = tmp_path / "master.png"
    Image.fromarray(data.astronaut()).save(source)
    master = ingest_master(runtime, source, campaign_name="jp", user="test")
    spec = "iab-medium-rectangle"
    steps = [
        Step(id="v.fit", op="fit", params={"spec": spec}, variant="v"),
        Step(
            id="v.brand", op="brand", params={"spec": spec, "text": "春のセール"}, input="v.fit", variant="v"
        ),
        Step(id="v.export", op="export", params={"spec": spec}, input="v.brand", variant="v"),
    ]
    return runtime, kit, master, Plan(steps=steps).validate_plan(engine="classical", max_variants=5)


def copy_record(runtime: Runtime, job_id: int) -> dict[str, object]:
    with read_session(runtime.engine) as s:
        [asset] = list(s.exec(select(Asset).where(Asset.job_id == job_id)))
    [step] = [step for step in asset.params["steps"] if step["op"] == "brand"]
    return dict(step["record"]["copy"])


def test_fallback_fonts_reach_a_local_run(settings: Settings, tmp_path: Path) -> None:
    runtime, kit, master, plan = jp_variant(settings, tmp_path)
    [outcome] = run_plan(runtime, plan, master, engine="classical", brand=kit).outcomes
    assert outcome.error is None
    copy = copy_record(runtime, outcome.job_id)
    assert copy["font"] == "TestJP.ttf" and copy["lines"] == ["春のセール"] and copy["missing"] == []


def test_fallback_fonts_reach_the_workers_as_blobs(settings: Settings, tmp_path: Path) -> None:
    """What ``queue=celery`` records on each job, read back by a worker (``run_job``, in-process)."""
    runtime, kit, master, plan = jp_variant(settings, tmp_path)
    assert master.asset.id is not None
    with session_scope(runtime.engine) as s:
        [(_, job)] = submit_plan(
            s,
            plan,
            master_sha256=master.asset.sha256,
            master_asset_id=master.asset.id,
            engine="classical",
            campaign_id=master.campaign_id,
        )
    assert job.id is not None
    record_inputs(
        runtime,
        [job.id],
        master_asset_id=master.asset.id,
        font=kit.font_bytes,
        fonts={f.key: f.data for f in kit.fallback_fonts},
        style=kit.style(),
    )
    with read_session(runtime.engine) as s:
        recorded = s.get(Job, job.id).params["inputs"]  # type: ignore[union-attr]
    assert list(recorded["fonts"]) == ["font:ja"]
    assert runtime.blobs.read_bytes(recorded["fonts"]["font:ja"]) == kit.texts()["font:ja"]

    assert run_job(runtime, job.id) == "done"
    copy = copy_record(runtime, job.id)
    assert copy["font"] == "TestJP.ttf" and copy["lines"] == ["春のセール"] and copy["missing"] == []
    assert copy["font_sha256"] == hashlib.sha256(kit.texts()["font:ja"]).hexdigest()


def test_a_celery_run_records_the_fallback_fonts_for_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run_plan`` with ``queue=celery``: the service hands the kit's fallbacks to the workers.

    The broker is replaced by running each sent job in-process (what a worker does with its id), so
    the path service → ``run_on_workers`` → job row → ``inputs_for`` is the real one, without Redis.
    """
    import pipeline.workers as workers

    settings = Settings(data_dir=tmp_path / "data", queue="celery", _env_file=None)  # type: ignore[call-arg]
    runtime, kit, master, plan = jp_variant(settings, tmp_path)
    monkeypatch.setattr(workers, "submit", lambda rt, ids: [run_job(rt, i) for i in ids])
    [outcome] = run_plan(runtime, plan, master, engine="classical", brand=kit).outcomes
    assert outcome.error is None
    assert copy_record(runtime, outcome.job_id)["font"] == "TestJP.ttf"
