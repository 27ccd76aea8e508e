"""The services one process needs (database engine, blob store), built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from pipeline.imaging import sandbox
from pipeline.imaging.sandbox import DecodeLimits
from storage import migrate
from storage.blobs import BlobStore, open_blob_store
from storage.db import make_engine
from storage.settings import Settings

if TYPE_CHECKING:
    from pipeline.credentials.signer import CredentialSigner


@dataclass
class Runtime:
    settings: Settings

    def __post_init__(self) -> None:
        # Each entry point builds a Runtime from its Settings: that is where image decoding
        # (a per-process pool of sandboxed children) learns its limits.
        sandbox.configure(DecodeLimits.from_settings(self.settings))

    @cached_property
    def engine(self) -> Engine:
        if not self.settings.database_url:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def blobs(self) -> BlobStore:
        return open_blob_store(self.settings.blob_url, self.settings.blob_root)

    @cached_property
    def signer(self) -> CredentialSigner | None:
        """Signs every delivered file's Content Credentials (configured keys, else a development CA
        made in the data dir on first use). None only where a caller turned signing off on purpose
        (the pipeline benchmark's unsigned baseline)."""
        from pipeline.credentials.keys import signing_keys
        from pipeline.credentials.signer import CredentialSigner

        return CredentialSigner(signing_keys(self.settings))

    def migrate(self, revision: str = "head") -> None:
        """Bring the database schema to the latest revision (idempotent)."""
        migrate.upgrade(self.engine, revision)
