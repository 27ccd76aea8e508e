"""Content Credentials end to end: `keyart run` signs every file inside its cap, `keyart verify`
reads them back (0 valid, 1 invalid, 2 none), approvals are countersigned, keys never leak."""

from __future__ import annotations

import getpass
import io
import json
import logging
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console
from skimage import data
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.production import RunRequest, produce
from pipeline.credentials.approval import approve_delivery
from pipeline.credentials.keys import trust_anchors
from pipeline.credentials.reader import read_credentials
from pipeline.runtime import Runtime
from pipeline.specs import get_spec
from storage.db import read_session, session_scope
from storage.models import Asset
from storage.repos import approvals
from storage.settings import Settings
from tests.support.certs import key_body, make_chain

BRAND = Path(__file__).resolve().parents[2] / "examples" / "brand" / "brand.json"
IAB_SET = "the IAB set with our logo and the CTA 'Shop the Spring Sale'"
IAB = [
    "iab-billboard",
    "iab-half-page",
    "iab-leaderboard",
    "iab-medium-rectangle",
    "iab-mobile-banner",
    "iab-wide-skyscraper",
]


def run(settings: Settings, tmp_path: Path, request: str, *, brand: bool = True) -> tuple[int, Path, str]:
    """``keyart run`` in process on the demo master (the astronaut); returns (exit code, out, console)."""
    master = tmp_path / "master.png"
    Image.fromarray(data.astronaut()).save(master)
    out, console = tmp_path / "out", io.StringIO()
    code = produce(
        settings,
        RunRequest(master, request, out, BRAND if brand else None, "classical", audit_failure_is_error=False),
        console=Console(file=console, width=200),
        errors=Console(file=console, width=200),
    )
    return code, out, console.getvalue()


def settings_in(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg]


def test_iab_set_on_the_demo_master_meets_every_cap_with_credentials_and_after_approval(
    tmp_path: Path,
) -> None:
    settings = settings_in(tmp_path)
    code, out, console = run(settings, tmp_path, IAB_SET)
    assert code == 0, console
    assert (
        "Content Credentials: 6/6 valid · signed with a development certificate: not trusted outside "
        "this workspace" in console
    )
    anchors = trust_anchors(settings)
    runtime = Runtime(settings)
    with read_session(runtime.engine) as s:
        variants = {a.spec: a for a in s.exec(select(Asset).where(Asset.kind == "variant"))}
    assert sorted(variants) == IAB
    me = getpass.getuser()
    for spec_name, asset in variants.items():
        cap = get_spec(spec_name).max_bytes
        assert cap is not None
        delivered = (out / "variants" / f"{spec_name}.jpg").read_bytes()
        assert len(delivered) <= cap, spec_name
        creds = read_credentials(delivered, anchors_pem=anchors)
        assert creds.state == "trusted" and creds.development, spec_name
        actions = [a["action"] for a in creds.actions]
        assert actions[0] == "c2pa.opened" and "c2pa.resized" in actions and actions[-1] == "c2pa.placed"
        assert creds.parent["id"] == f"urn:keyart:sha256:{creds.production['master']['sha256']}"
        assert creds.people["briefed_by"]["user"] == me and creds.people["master_approved_by"]["user"] == me
        assert creds.production["spec"] == spec_name and creds.production["seed"] == asset.seed
        # The approval, after delivery: countersigned, and still inside the cap.
        with session_scope(runtime.engine) as s:
            assert asset.campaign_id is not None and asset.id is not None
            row = approvals.record_decision(
                s,
                asset.campaign_id,
                asset.id,
                "variant",
                "approve",
                "ULENA",
                reaction="white_check_mark",
                source="slack",
            )
        copy = approve_delivery(runtime, row)
        assert copy.asset is not None and copy.asset.kind == "approved" and copy.asset.parent_id == asset.id
        approved = runtime.blobs.read_bytes(copy.asset.sha256)
        assert len(approved) <= cap, f"{spec_name}: approved copy {len(approved)} > {cap}"
        again = read_credentials(approved, anchors_pem=anchors)
        assert again.state == "trusted" and again.people["variant_approved_by"]["user"] == "ULENA"
        assert [a["action"] for a in again.actions][-1] == "c2pa.published"
    report = json.loads((out / "audit.json").read_text())
    assert all(a["credentials"]["state"] == "trusted" for a in report["assets"])
    assert report["summary"]["credentials"] == {"valid": 6, "invalid": 0, "none": 0, "development": True}
    page = (out / "report.html").read_text()
    assert page.count('data-credentials="trusted"') == 6 and "Content Credentials: 6/6 valid" in page


def verify(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", *args], env={"KEYART_DATA_DIR": str(tmp_path / "data")})
    return result.exit_code, result.stdout + result.stderr


def test_verify_exit_codes_and_what_it_prints(tmp_path: Path) -> None:
    code, out, _ = run(settings_in(tmp_path), tmp_path, "IAB 300x250 with our logo")
    assert code == 0
    good = out / "variants" / "iab-medium-rectangle.jpg"
    status, text = verify(tmp_path, str(good))
    assert status == 0, text
    assert "Content Credentials valid (trusted signer)" in text
    assert "signed with a development certificate: not trusted outside this workspace" in text
    assert "actions: opened → cropped → resized → placed" in text
    assert f"master approved by {getpass.getuser()} (cli" in text and "variant not approved yet" in text

    tampered = tmp_path / "tampered.jpg"
    raw = bytearray(good.read_bytes())
    raw[(raw.rindex(b"\xff\xda") + raw.rindex(b"\xff\xd9")) // 2] ^= 0x01
    tampered.write_bytes(bytes(raw))
    status, text = verify(tmp_path, str(tampered))
    assert status == 1 and "INVALID: the file changed after it was signed" in text

    reencoded = tmp_path / "reencoded.jpg"
    Image.open(good).save(reencoded, quality=95)
    status, text = verify(tmp_path, str(reencoded))
    assert status == 2 and "Content Credentials none: the file carries no C2PA manifest" in text

    assert verify(tmp_path, str(tmp_path / "missing.jpg"))[0] == 2
    assert verify(tmp_path, str(good), str(reencoded), str(tampered))[0] == 1, "invalid outranks none"
    assert verify(tmp_path, str(good), str(reencoded))[0] == 2

    elsewhere = tmp_path / "elsewhere"  # another workspace: intact, but its dev CA is not trusted here
    elsewhere.mkdir()
    status, text = verify(elsewhere, str(good))
    assert (
        status == 0 and "signer not on a trust list known here" in text and "development certificate" in text
    )

    result = CliRunner().invoke(
        app, ["verify", "--json", str(good), str(reencoded)], env={"KEYART_DATA_DIR": str(tmp_path / "data")}
    )
    reports = json.loads(result.stdout)
    assert [r["state"] for r in reports] == ["trusted", "none"] and reports[0]["valid"] is True
    assert reports[0]["actions"][0] == "c2pa.opened" and reports[0]["parent"]["title"] == "master.png"


def test_configured_keys_sign_and_never_reach_the_database_logs_or_output(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chain = make_chain("ed25519")
    settings = settings_in(tmp_path, c2pa_cert=chain.chain_pem.decode(), c2pa_key=chain.key_pem.decode())
    caplog.set_level(logging.DEBUG)
    code, out, console = run(settings, tmp_path, "IAB 300x250 and 728x90 with our logo")
    assert code == 0, console
    assert not (tmp_path / "data" / "c2pa").exists(), "configured keys: no development CA"
    for path in (out / "variants").iterdir():
        creds = read_credentials(path.read_bytes(), anchors_pem=chain.root_pem)
        assert creds.state == "trusted" and creds.signer == "Test Agency signing" and creds.alg == "ED25519"
        assert not creds.development
    assert "development certificate" not in console
    secrets = key_body(chain.key_pem)
    stored = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name == "keyart.db" for p in stored)
    for path in [*stored, *(p for p in out.rglob("*") if p.is_file())]:
        content = path.read_bytes()
        assert not any(line in content for line in secrets), f"the signing key leaked into {path}"
    logged = caplog.text + console
    assert not any(line.decode() in logged for line in secrets)


def test_unusable_keys_stop_the_run_before_any_work(tmp_path: Path) -> None:
    chain = make_chain()
    settings = settings_in(
        tmp_path, c2pa_cert=chain.chain_pem.decode(), c2pa_key=make_chain().key_pem.decode()
    )
    code, out, console = run(settings, tmp_path, "IAB 300x250")
    assert code == 2 and "KEYART_C2PA_KEY does not belong to the first certificate" in console
    assert not (out / "variants").exists()
