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
    job_time_limit_s: float = Field(
        3600,
        gt=0,
        description="Time limit for one job on a worker (queue=celery): the job fails with a readable "
        "message; one that cannot be interrupted ends its worker a little later (the hard limit, "
        "half-way to the visibility timeout, at most 60 s on). Keep it below the visibility timeout.",
    )
    visibility_timeout_s: float = Field(
        7200,
        gt=0,
        description="Seconds Redis waits for a job's ack before redelivering it (a dead "
        "worker's job runs again after this); must exceed job_time_limit_s.",
    )
    redelivery_check_s: float = Field(
        10,
        gt=0,
        description="How often workers look for unacknowledged jobs past the visibility timeout.",
    )
    blob_url: str = Field("", description="Blob store: empty = <data_dir>/blobs; s3://bucket/prefix.")
    llm: str = Field("", description="provider:model for the LLM planner; empty = rule-based planner.")
    approvers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack user / user-group ids (comma or space separated)."
    )
    requesters: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Slack user / user-group ids who may brief, run, re-roll and harmonize; "
        "empty = everyone in the channels the app is invited to.",
    )
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Slack user / user-group ids who may run or cancel anyone's work and change budgets.",
    )
    max_variants: int = Field(60, ge=1, le=500, description="Most variants one request may plan.")
    # Planner limits (bot/planner): enforced by code, whatever the LLM proposes (OWASP LLM06/LLM10).
    gpu_seconds_per_request: float = Field(
        3600, ge=0, description="Most estimated GPU-seconds (pipeline/costs.py) one planned request may cost."
    )
    gpu_seconds_per_user_day: float = Field(
        14400, ge=0, description="Most estimated GPU-seconds one user's plans may add up to per UTC day."
    )
    llm_max_rounds: int = Field(
        8, ge=1, le=50, description="Most model turns (tool-calling rounds) per request."
    )
    llm_max_failed_rounds: int = Field(
        3, ge=1, le=50, description="Rounds with a refused tool call or an unfinished plan before giving up."
    )
    llm_max_tool_calls: int = Field(
        400, ge=1, le=5000, description="Most tool calls per request (a variant takes 2–5 steps)."
    )
    llm_timeout_s: float = Field(60, gt=0, description="Seconds one LLM call may take before it fails.")
    max_image_pixels: int = Field(90_000_000, ge=1, description="Refuse inputs above this many pixels.")
    # Content Credentials (C2PA) on every delivered file (pipeline/credentials/).
    c2pa_cert: str = Field(
        "",
        repr=False,
        description="Signing certificate chain for Content Credentials: PEM text or a PEM file path, the "
        "signing certificate first, then its intermediates (a CA-issued certificate: C2PA rejects "
        "self-signed ones); a root at the end is what `keyart verify` trusts here. Empty = a "
        "development CA keyart creates in the data dir.",
    )
    c2pa_key: str = Field(
        "",
        repr=False,
        description="Private key of c2pa_cert, unencrypted PEM text or a PEM file path: EC P-256 (ES256), "
        "P-384, P-521, Ed25519 or RSA (PS256). Never logged, stored or posted.",
    )
    max_upload_bytes: int = Field(200 * 1024 * 1024, ge=1, description="Refuse inputs above this size.")
    # Decoding sandbox (pipeline/imaging/sandbox.py): every input image is decoded in a child process.
    decode_timeout_s: float = Field(
        30, gt=0, description="Wall-clock seconds one image may take to decode before it is refused."
    )
    decode_cpu_s: int = Field(20, ge=1, description="CPU-seconds one image may take to decode.")
    decode_memory_mb: int = Field(
        3072,
        ge=16,
        description="Memory (address space, MB) one decode may add; 3072 fits a 90 MP 16-bit image.",
    )
    decode_workers: int = Field(
        2, ge=1, le=32, description="Decoding processes kept warm per keyart process."
    )

    # Diffusion engine (pipeline/engines/diffusion/models.py documents the defaults per family).
    model_family: Literal["flux", "sdxl", "sd15"] = Field(
        "flux", description="Diffusion family (flux, sdxl, or sd15 for small GPUs); picks default models."
    )
    model_generate: str = Field(
        "", description="Text-to-image model, hub id or local folder (img2img shares it); empty = default."
    )
    model_fill: str = Field(
        "",
        description="Inpaint/outpaint model (hub id or folder); empty = family default, "
        "'base' = derive it from model_generate, sharing its weights.",
    )
    model_upscaler: str = Field(
        "",
        description="A spandrel model file (.pth/.safetensors, e.g. Real-ESRGAN) or an SD x4 upscaler "
        "hub id/folder; empty = stabilityai/stable-diffusion-x4-upscaler.",
    )
    device: str = Field("auto", description="Diffusion device: auto (cuda, mps, cpu), cuda:N, mps or cpu.")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field(
        "auto", description="Weights dtype; auto = bf16 on CUDA (fp16 for SD/SDXL), fp16 on MPS, fp32 on CPU."
    )
    cpu_offload: bool = Field(False, description="Keep models in RAM, moving each to the GPU when used.")
    vae_tiling: bool = Field(False, description="Decode latents in tiles (large images on small GPUs).")
    diffusion_steps: int = Field(0, ge=0, le=200, description="Denoising steps; 0 = the model's default.")
    diffusion_max_pixels: int = Field(
        0, ge=0, description="Largest working canvas (pixels) a diffusion model gets; 0 = family default."
    )
    ip_adapter: str = Field(
        "", description="IP-Adapter subject aid, 'repo_or_folder:path/to/weights'; empty = off (the default)."
    )
    ip_adapter_scale: float = Field(0.5, ge=0, le=1.5, description="IP-Adapter image-prompt strength.")

    slack_bot_token: str = Field("", validation_alias="SLACK_BOT_TOKEN", repr=False)
    slack_signing_secret: str = Field("", validation_alias="SLACK_SIGNING_SECRET", repr=False)
    slack_app_token: str = Field("", validation_alias="SLACK_APP_TOKEN", repr=False)
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL.")
    # Slack bot behaviour (bot/); reactions are emoji names without colons.
    slack_port: int = Field(3000, ge=1, le=65535, description="HTTP mode: port serving /slack/events.")
    slack_auto_run_max: int = Field(
        4, ge=0, description="Plans with at most this many variants run at once; bigger ones wait for Run."
    )
    slack_candidates: int = Field(
        4, ge=1, le=8, description="Master candidates generated per brief (diffusion engine)."
    )
    slack_approve_reaction: str = Field("white_check_mark", description="Reaction that approves.")
    slack_reject_reaction: str = Field("x", description="Reaction that rejects.")
    slack_rerun_reaction: str = Field("repeat", description="Reaction that re-runs with a new seed.")
    slack_harmonize_reaction: str = Field(
        "sparkles", description="Reaction that harmonizes an audit failure."
    )
    slack_progress_interval: float = Field(
        1.0, ge=0, description="Least seconds between two updates of one progress message."
    )
    slack_post_interval: float = Field(
        1.0, ge=0, description="Least seconds between two posts in one channel (Slack allows ~1/s)."
    )
    slack_approver_cache_s: float = Field(
        300, ge=0, description="Seconds resolved approver user-group members are cached."
    )

    @field_validator("approvers", "requesters", "admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
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
