"""Reading Content Credentials back: validate them with the c2pa library and say what they record.

C2PA's three outcomes: *invalid* (a hash or signature does not match: the file changed after
signing, or the manifest is broken), *valid* (intact, but the signer is not on a trust list this
workspace knows) and *trusted* (intact and signed by a certificate chaining to a trusted root).
A file without a manifest (re-encoded, screenshotted, stripped by a platform) has *none*.
Reading is offline: no remote manifests, no OCSP.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import c2pa

from pipeline.credentials.manifest import APPROVAL, DEVELOPMENT_NOTE, DEVELOPMENT_ORG, PRODUCTION
from pipeline.credentials.signer import reader_settings

State = Literal["trusted", "valid", "invalid", "none"]
EXIT_CODES: dict[State, int] = {"trusted": 0, "valid": 0, "invalid": 1, "none": 2}


@dataclass
class Credentials:
    state: State
    reason: str = ""  # why invalid / none, in words
    problems: list[str] = field(default_factory=list)  # failure codes with the library's explanation
    signer: str | None = None
    issuer: str | None = None
    alg: str | None = None
    development: bool = False
    parent: dict[str, Any] = field(default_factory=dict)  # the master ingredient (title, sha256)
    actions: list[dict[str, Any]] = field(default_factory=list)  # oldest manifest's first
    production: dict[str, Any] = field(default_factory=dict)  # keyart's assertion (campaign, spec, people…)
    approval: dict[str, Any] = field(default_factory=dict)  # who approved the file, when (if they did)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.state]

    @property
    def people(self) -> dict[str, Any]:
        people = dict(self.production.get("people") or {})
        if self.approval:
            people["variant_approved_by"] = self.approval
        return people

    def headline(self) -> str:
        """One line after "Content Credentials": the verdict, the signer, the development warning."""
        if self.state == "none":
            return f"none: {self.reason}"
        if self.state == "invalid":
            return f"INVALID: {self.reason}"
        trust = "trusted signer" if self.state == "trusted" else "signer not on a trust list known here"
        line = f"valid ({trust}) · signed by {self.signer} ({self.alg})"
        return f"{line} · {DEVELOPMENT_NOTE}" if self.development else line

    def to_json(self) -> dict[str, Any]:
        """What audit.json and ``keyart verify --json`` report."""
        out: dict[str, Any] = {"state": self.state, "valid": self.exit_code == 0, "summary": self.headline()}
        if self.state == "none":
            return out
        out.update(
            signer=self.signer,
            issuer=self.issuer,
            alg=self.alg,
            development=self.development,
            problems=self.problems,
            parent=self.parent,
            actions=[a.get("action") for a in self.actions],
            people=self.people,
        )
        return out


def read_credentials(data: bytes, *, anchors_pem: bytes = b"") -> Credentials:
    """Validate and summarise the manifest store embedded in ``data`` (any format c2pa reads)."""
    try:
        with c2pa.Context.from_dict(reader_settings(anchors_pem)) as context:
            reader = c2pa.Reader.try_create(io.BytesIO(data), context=context)
            if reader is None:
                return Credentials("none", "the file carries no C2PA manifest (re-encoded or stripped?)")
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError.NotSupported:
        return Credentials("none", "not a file format that carries Content Credentials")
    except c2pa.C2paError as exc:  # a manifest is there but cannot be parsed: that is a broken one
        return Credentials("invalid", f"the manifest cannot be read ({exc})")
    return _summarise(store)


def _summarise(store: dict[str, Any]) -> Credentials:
    manifests: dict[str, Any] = store.get("manifests") or {}
    active = manifests.get(store.get("active_manifest") or "") or {}
    chain = _chain(manifests, active)
    results = store.get("validation_results") or {}
    problems = [f"{f.get('code')}: {f.get('explanation')}" for f in _failures(results)]
    state = str(store.get("validation_state") or "").lower()
    signature = active.get("signature_info") or {}
    creds = Credentials(
        state="trusted" if state == "trusted" else "valid" if state == "valid" else "invalid",
        problems=problems,
        signer=signature.get("common_name"),
        issuer=signature.get("issuer"),
        alg=str(signature.get("alg") or "?").upper(),
        development=signature.get("issuer") == DEVELOPMENT_ORG,
    )
    if creds.state == "invalid":
        tampered = any("hash" in p.split(":")[0].lower() for p in problems)
        creds.reason = (
            "the file changed after it was signed" if tampered else "the manifest does not validate"
        )
        creds.reason += f" ({problems[0]})" if problems else ""
    for manifest in chain:
        creds.actions += _actions(manifest)
        for assertion in manifest.get("assertions") or []:
            if assertion.get("label") == PRODUCTION:
                creds.production = dict(assertion.get("data") or {})
            elif assertion.get("label") == APPROVAL:
                creds.approval = dict((assertion.get("data") or {}).get("variant_approved_by") or {})
    production = next(
        (m for m in chain if any(a.get("label") == PRODUCTION for a in m.get("assertions") or [])),
        chain[0] if chain else {},
    )
    parent: dict[str, Any] = next(
        (i for i in production.get("ingredients") or [] if i.get("relationship") == "parentOf"), {}
    )
    if parent:
        creds.parent = {"title": parent.get("title"), "id": parent.get("instance_id")}
    return creds


def _chain(manifests: dict[str, Any], active: dict[str, Any]) -> list[dict[str, Any]]:
    """The active manifest and the manifests of its parent ingredients, oldest first."""
    chain, seen, current = [], set(), active
    while current and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        parent = next(
            (i for i in current.get("ingredients") or [] if i.get("relationship") == "parentOf"), None
        )
        current = manifests.get((parent or {}).get("active_manifest") or "") or {}
    return list(reversed(chain))


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            out += (assertion.get("data") or {}).get("actions") or []
    return out


def _failures(results: dict[str, Any]) -> list[dict[str, Any]]:
    failures = list((results.get("activeManifest") or {}).get("failure") or [])
    for delta in results.get("ingredientDeltas") or []:
        failures += (delta.get("validationDeltas") or {}).get("failure") or []
    return failures


def describe(creds: Credentials, who: Callable[[dict[str, Any]], str] | None = None) -> list[str]:
    """The chain of actions and people, as plain lines (``keyart verify``, Slack); ``who`` names a
    person on record (default: ``user (via, when)``)."""
    who = who or _who
    lines = [creds.headline()]
    if creds.state == "none":
        return lines
    if creds.state == "invalid":
        lines += [f"problem: {p}" for p in creds.problems[:5]]
    if creds.parent:
        ident = str(creds.parent.get("id") or "")
        digest = ident.rsplit(":", 1)[-1] if ident.startswith("urn:keyart:sha256:") else ident
        lines.append(f"made from: {creds.parent.get('title')} (sha256 {digest})")
    steps = []
    for action in creds.actions:
        source = str(action.get("digitalSourceType") or "").rsplit("/", 1)[-1]
        steps.append(
            str(action.get("action", "?")).removeprefix("c2pa.") + (f" [{source}]" if source else "")
        )
    if steps:
        lines.append("actions: " + " → ".join(steps))
    people = creds.people
    roles = (
        ("briefed_by", "briefed by"),
        ("requested_by", "requested by"),
        ("master_approved_by", "master approved by"),
        ("rerun_by", "re-run asked by"),
        ("variant_approved_by", "variant approved by"),
    )
    said = [f"{label} {who(people[key])}" for key, label in roles if people.get(key)]
    if creds.production and not people.get("variant_approved_by"):
        said.append("variant not approved yet")
    if said:
        lines.append("people: " + " · ".join(said))
    facts = creds.production
    if facts:
        models = ", ".join(facts.get("models") or []) or "none"
        lines.append(
            f"campaign {facts.get('campaign', '?')} · spec {facts.get('spec', '?')} · "
            f"seed {facts.get('seed', '?')} · engine {facts.get('engine', '?')} · models {models}"
        )
    return lines


def _who(person: dict[str, Any]) -> str:
    when = f", {person['at']}" if person.get("at") else ""
    return f"{person.get('user', '?')} ({person.get('via', '?')}{when})"
