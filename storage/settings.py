"""The one Settings object, built at each entry point (CLI, bot, worker) and passed down.

Library code never reads ``os.environ``; it receives a ``Settings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """keyart configuration, from ``KEYART_*`` / ``SLACK_*`` environment variables or a ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="KEYART_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("./keyart-data"), description="Where the database, blobs and logs live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite inside the data dir.")
    engine: Literal["classical", "diffusion"] = Field("classical", description="Pixel engine for ops.")
    queue: Literal["local", "celery"] = Field("local", description="Job queue backend.")
    broker_url: str = Field("redis://127.0.0.1:6379/0", description="Celery broker (queue=celery).")
    blob_url: str = Field("", description="Blob store: empty = <data_dir>/blobs; s3://bucket/prefix.")
    llm: str = Field("", description="provider:model for the LLM planner; empty = rule-based planner.")
    approvers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack user / user-group ids (comma or space separated)."
    )
    max_variants: int = Field(60, ge=1, le=500, description="Most variants one request may plan.")
    max_image_pixels: int = Field(90_000_000, ge=1, description="Refuse inputs above this many pixels.")
    max_upload_bytes: int = Field(200 * 1024 * 1024, ge=1, description="Refuse inputs above this size.")

    slack_bot_token: str = Field("", validation_alias="SLACK_BOT_TOKEN", repr=False)
    slack_signing_secret: str = Field("", validation_alias="SLACK_SIGNING_SECRET", repr=False)
    slack_app_token: str = Field("", validation_alias="SLACK_APP_TOKEN", repr=False)
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL.")

    @field_validator("approvers", mode="before")
    @classmethod
    def _split_approvers(cls, value: object) -> object:
        # Environment values arrive as "U1,U2 S3"; accept both commas and spaces.
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'keyart.db').resolve()}"

    @property
    def blob_root(self) -> Path:
        """The local blob directory (used when ``blob_url`` is not an s3:// URL)."""
        if self.blob_url and not self.blob_url.startswith("s3://"):
            return Path(self.blob_url.removeprefix("file://"))
        return self.data_dir / "blobs"
