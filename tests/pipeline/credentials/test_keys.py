"""Signing keys: configured ones are checked up front; without them a development CA is made once."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from pipeline.credentials.keys import SigningKeyError, signing_keys, trust_anchors
from storage.settings import Settings
from tests.support.certs import key_body, make_chain, self_signed


def settings_for(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg]


def test_development_ca_is_made_once_and_reused(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert trust_anchors(settings) == b"", "reading never creates keys"
    first = signing_keys(settings)
    assert first.development and first.alg == "es256"
    folder = tmp_path / "data" / "c2pa"
    assert stat.S_IMODE((folder / "signer-key.pem").stat().st_mode) == 0o600
    chain = x509.load_pem_x509_certificates(first.chain_pem)
    assert len(chain) == 2 and chain[0].issuer == chain[1].subject != chain[0].subject
    assert chain[0].extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert signing_keys(settings).chain_pem == first.chain_pem, "the second call reuses the first CA"
    assert trust_anchors(settings) == chain[1].public_bytes(Encoding.PEM), "the dev CA is the anchor"


def test_racing_processes_agree_on_one_development_ca(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    chains: list[bytes] = []
    start = threading.Barrier(6)

    def make() -> None:
        start.wait()
        chains.append(signing_keys(settings).chain_pem)

    threads = [threading.Thread(target=make) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(chains) == 6 and len(set(chains)) == 1
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["c2pa"], "no staging folder is left behind"


@pytest.mark.parametrize("kind", ["es256", "ed25519"])
def test_configured_keys_as_text_or_file(tmp_path: Path, kind: str) -> None:
    made = make_chain(kind)  # type: ignore[arg-type]
    cert_file, key_file = tmp_path / "chain.pem", tmp_path / "key.pem"
    cert_file.write_bytes(made.chain_pem)
    key_file.write_bytes(made.key_pem)
    for cert, key in ((made.chain_pem.decode(), made.key_pem.decode()), (str(cert_file), str(key_file))):
        keys = signing_keys(settings_for(tmp_path, c2pa_cert=cert, c2pa_key=key))
        assert keys.alg == kind and not keys.development and keys.subject == "Test Agency signing"
        assert keys.anchors_pem == made.root_pem, "a root included in the chain is this workspace's anchor"
    assert not (tmp_path / "data" / "c2pa").exists(), "configured keys never create a development CA"


def test_unusable_keys_are_refused_with_the_reason_and_never_echoed(tmp_path: Path) -> None:
    good, other, lone = make_chain(), make_chain(), self_signed()
    cases = [
        ({"c2pa_cert": good.chain_pem.decode()}, "KEYART_C2PA_KEY is empty"),
        ({"c2pa_cert": good.chain_pem.decode(), "c2pa_key": other.key_pem.decode()}, "does not belong"),
        ({"c2pa_cert": lone.chain_pem.decode(), "c2pa_key": lone.key_pem.decode()}, "self-signed.*C2PA"),
        (
            {"c2pa_cert": good.root_pem.decode() + good.leaf_pem.decode(), "c2pa_key": good.key_pem.decode()},
            "does not belong",
        ),
        (
            {
                "c2pa_cert": good.chain_pem.decode(),
                "c2pa_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
            },
            "not an unencrypted",
        ),
        ({"c2pa_cert": str(tmp_path / "missing.pem"), "c2pa_key": good.key_pem.decode()}, "cannot read"),
    ]
    for values, message in cases:
        with pytest.raises(SigningKeyError, match=message) as caught:
            signing_keys(settings_for(tmp_path, **values))
        for line in key_body(good.key_pem) + key_body(other.key_pem):
            assert line.decode() not in str(caught.value)


def test_settings_never_show_the_key(tmp_path: Path) -> None:
    made = make_chain()
    settings = settings_for(tmp_path, c2pa_cert=made.chain_pem.decode(), c2pa_key=made.key_pem.decode())
    for line in key_body(made.key_pem):
        assert line.decode() not in repr(settings) and line.decode() not in str(settings)
    keys = signing_keys(settings)
    assert all(line.decode() not in repr(keys) for line in key_body(made.key_pem))
