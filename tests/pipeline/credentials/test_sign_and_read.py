"""Sign → read back: actions, the master by hash and the people survive; a flipped pixel byte makes
the credentials invalid; a re-encoded copy has none; an approval is countersigned on top."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image

from pipeline.credentials.actions import step_credentials
from pipeline.credentials.keys import signing_keys
from pipeline.credentials.manifest import IPTC, Production, approval_manifest, production_manifest
from pipeline.credentials.reader import describe, read_credentials
from pipeline.credentials.signer import CredentialSigner
from pipeline.ops.base import Geometry
from storage.settings import Settings
from tests.support.certs import SigningChain, make_chain

MASTER_SHA = "5e" * 32
PEOPLE = {
    "briefed_by": {"user": "UMAYA", "via": "slack", "at": "2026-03-01T09:00:00+00:00"},
    "requested_by": {"user": "UMAYA", "via": "slack", "at": "2026-03-01T09:05:00+00:00"},
    "master_approved_by": {"user": "ULENA", "via": "slack", "at": "2026-03-01T09:03:00+00:00"},
}


def production() -> Production:
    """A story made from a 2000×1500 master: fit crops and scales, expand invents 20 % classically,
    a diffusion swap fills a region, harmonize adjusts colour, brand places logo and copy."""
    master = Geometry.identity((2000, 1500))
    cropped = master.then_crop((500, 0, 1344, 1500), (1080, 1920))
    widened = Geometry((400.0, 0.0, 1444.0, 1500.0), (1336, 1920), (2000, 1500))  # same scale, wider
    logo = Image.new("RGBA", (40, 20), (255, 0, 0, 255))
    steps = [
        step_credentials(
            "fit", {}, before=master, after=cropped, engine="classical", model=None, generated_share=0.0
        ),
        step_credentials(
            "expand", {}, before=cropped, after=widened, engine="classical", model=None, generated_share=0.2
        ),
        step_credentials(
            "swap",
            {},
            before=widened,
            after=widened,
            engine="diffusion",
            model="flux-fill",
            generated_share=0.1,
        ),
        step_credentials(
            "harmonize",
            {},
            before=widened,
            after=widened,
            engine="classical",
            model=None,
            generated_share=0.0,
        ),
        step_credentials(
            "brand",
            {"text": "Shop the Spring Sale", "use_logo": True},
            before=widened,
            after=widened,
            engine="classical",
            model=None,
            generated_share=0.0,
            logo=logo,
            key="u1-4-",
        ),
    ]
    return Production(
        master_sha256=MASTER_SHA,
        master_title="hero.png",
        steps=steps,
        people=PEOPLE,
        facts={"campaign": "7", "unit": "story", "seed": 1234, "models": ["flux-fill"]},
    )


EXPECTED = [
    ("c2pa.opened", None),
    ("c2pa.cropped", None),
    ("c2pa.resized", None),
    ("c2pa.edited", "algorithmicMedia"),
    ("c2pa.edited", "compositeWithTrainedAlgorithmicMedia"),
    ("c2pa.color_adjustments", None),
    ("c2pa.placed", None),
]


def encoded(fmt: str, mode: str = "RGB") -> bytes:
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 255, (120, 160, 4 if mode == "RGBA" else 3), dtype=np.uint8)
    if mode == "RGBA":
        pixels[:, :80, 3] = 0  # half transparent: alpha must survive signing
    out = io.BytesIO()
    Image.fromarray(pixels, mode).save(
        out, {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF"}[fmt]
    )
    return out.getvalue()


def signer_for(tmp_path, chain: SigningChain) -> CredentialSigner:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path, c2pa_cert=chain.chain_pem.decode(), c2pa_key=chain.key_pem.decode(), _env_file=None
    )  # type: ignore[call-arg]
    return CredentialSigner(signing_keys(settings))


def sign(signer: CredentialSigner, data: bytes, fmt: str) -> bytes:
    manifest = production_manifest(
        production(),
        spec="story",
        title=f"story.{fmt}",
        mime=f"image/{fmt}",
        source_type=IPTC + "compositeWithTrainedAlgorithmicMedia",
    )
    return signer.sign(data, fmt, manifest)


@pytest.mark.parametrize("kind", ["es256", "ed25519"])
@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("jpeg", "RGB"), ("png", "RGB"), ("png", "RGBA"), ("webp", "RGB"), ("webp", "RGBA"), ("tiff", "RGB")],
)
def test_sign_then_read_back_everything(tmp_path, kind: str, fmt: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    chain = make_chain(kind)  # type: ignore[arg-type]
    plain = encoded(fmt, mode)
    signed = sign(signer_for(tmp_path, chain), plain, fmt)
    creds = read_credentials(signed, anchors_pem=chain.root_pem)
    assert creds.state == "trusted" and creds.exit_code == 0, creds.problems
    assert creds.alg == kind.upper() and creds.signer == "Test Agency signing" and not creds.development
    got = [
        (a["action"], (a.get("digitalSourceType") or "").rsplit("/", 1)[-1] or None) for a in creds.actions
    ]
    assert got == EXPECTED
    assert all(a["softwareAgent"]["name"] == "keyart" for a in creds.actions)
    assert creds.parent == {"title": "hero.png", "id": f"urn:keyart:sha256:{MASTER_SHA}"}
    assert creds.people == PEOPLE
    assert creds.production["seed"] == 1234 and creds.production["models"] == ["flux-fill"]
    assert creds.production["campaign"] == "7" and creds.production["spec"] == "story"
    placed = creds.actions[-1]
    assert placed["description"] == (
        "brand: placed the brand logo and the copy (deterministic compositing, no AI)"
    )
    # Signing adds a manifest and changes no pixel (alpha included).
    before, after = Image.open(io.BytesIO(plain)), Image.open(io.BytesIO(signed))
    assert after.mode == before.mode and np.array_equal(np.asarray(after), np.asarray(before))
    text = "\n".join(describe(creds))
    assert "edited [algorithmicMedia]" in text and "master approved by ULENA (slack" in text
    assert "variant not approved yet" in text


def pixel_offset(data: bytes, fmt: str) -> int:
    """An offset inside the compressed pixel data (not a header, not the manifest)."""
    if fmt == "jpeg":
        start, end = data.rindex(b"\xff\xda"), data.rindex(b"\xff\xd9")
        return (start + end) // 2
    if fmt == "png":
        at = data.index(b"IDAT")
        (length,) = struct.unpack(">I", data[at - 4 : at])
        return at + 4 + length // 2
    at = data.index(b"VP8")
    (length,) = struct.unpack("<I", data[at + 4 : at + 8])
    return at + 8 + length // 2


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_one_flipped_pixel_byte_invalidates_and_a_reencode_has_none(tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    chain = make_chain()
    signed = sign(signer_for(tmp_path, chain), encoded(fmt), fmt)
    tampered = bytearray(signed)
    tampered[pixel_offset(signed, fmt)] ^= 0x01
    creds = read_credentials(bytes(tampered), anchors_pem=chain.root_pem)
    assert creds.state == "invalid" and creds.exit_code == 1
    assert "changed after it was signed" in creds.reason and "dataHash.mismatch" in creds.problems[0]
    copy = io.BytesIO()
    Image.open(io.BytesIO(signed)).save(copy, {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt])
    again = read_credentials(copy.getvalue(), anchors_pem=chain.root_pem)
    assert again.state == "none" and again.exit_code == 2 and "no C2PA manifest" in again.headline()
    assert read_credentials(b"plain text, not an image").state == "none"


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "tiff"])
def test_approval_is_countersigned_on_top_of_the_delivered_manifest(tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    chain = make_chain()
    signer = signer_for(tmp_path, chain)
    delivered = sign(signer, encoded(fmt), fmt)
    approval = {
        "user": "ULENA",
        "via": "slack",
        "at": "2026-03-02T10:00:00+00:00",
        "reaction": "white_check_mark",
    }
    manifest = approval_manifest(title=f"story.{fmt}", mime=f"image/{fmt}", approval=approval)
    approved = signer.countersign(delivered, fmt, manifest)
    creds = read_credentials(approved, anchors_pem=chain.root_pem)
    assert creds.state == "trusted"
    assert [a["action"] for a in creds.actions] == [a for a, _ in EXPECTED] + [
        "c2pa.opened",
        "c2pa.published",
    ]
    assert creds.people["variant_approved_by"] == approval
    assert creds.people["master_approved_by"] == PEOPLE["master_approved_by"]
    assert creds.parent["id"] == f"urn:keyart:sha256:{MASTER_SHA}", "the master is still the first parent"
    assert "variant approved by ULENA (slack, 2026-03-02" in "\n".join(describe(creds))
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(approved))), np.asarray(Image.open(io.BytesIO(delivered)))
    )
    reserve = signer.reserve_for_approval(delivered, fmt)
    assert len(approved) - len(delivered) <= reserve < len(approved) - len(delivered) + 1024


def test_without_the_anchor_a_signature_is_valid_but_not_trusted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    chain = make_chain()
    signed = sign(signer_for(tmp_path, chain), encoded("png"), "png")
    creds = read_credentials(signed)
    assert creds.state == "valid" and creds.exit_code == 0
    assert "signer not on a trust list known here" in creds.headline()
