"""What the Slack listeners and tasks share, built once from Settings at start-up."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.approvers import Approvers
from bot.digests import DigestSettings
from bot.members import Members
from bot.messages import Vocabulary
from bot.notifier import Notifier
from bot.ordering import Ordering
from bot.planner import Planner
from bot.planner.factory import make_planner
from bot.replies import Outbox
from bot.scheduler import DigestScheduler
from pipeline.queue_local import LocalQueue
from pipeline.runtime import Runtime
from storage.settings import Settings

log = logging.getLogger(__name__)


def make_client(settings: Settings, *, timeout: int = 30) -> WebClient:
    """The Web API client: ``KEYART_SLACK_API_URL`` as base URL; 429s wait out ``Retry-After``."""
    base = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(
        token=settings.slack_bot_token or None, base_url=base, timeout=timeout,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                        RateLimitErrorRetryHandler(max_retry_count=3)],
    )


@dataclass
class Roles:
    """Who may ask for work (empty = everyone) and who may do anything (bot/access.py)."""

    requesters: Members
    admins: Members


@dataclass
class Deps:
    settings: Settings
    runtime: Runtime
    client: WebClient
    outbox: Outbox
    notifier: Notifier
    approvers: Approvers
    roles: Roles
    planner: Planner
    digests: DigestSettings
    vocab: Vocabulary
    queue: LocalQueue | None = None  # set by bot.flows.tasks.make_queue (its handlers need Deps)
    bot_user_id: str = ""
    unknown_messages: set[tuple[str, str]] = field(default_factory=set)  # reactions on others' posts
    ordering: Ordering = field(default_factory=Ordering)  # per-thread order of reactions and presses

    @property
    def tasks(self) -> LocalQueue:
        assert self.queue is not None, "the task queue is not set up"
        return self.queue


def build_deps(settings: Settings, *, client: WebClient | None = None,
               planner: Planner | None = None) -> Deps:
    """Migrate the database, and build the client, outbox, notifier and roles (nothing started)."""
    runtime = Runtime(settings)
    runtime.migrate()
    _ = runtime.signer  # unusable Content Credentials keys stop start-up, with the reason
    client = client or make_client(settings)
    notifier = Notifier(runtime, client, post_interval=settings.slack_post_interval)
    ttl = settings.slack_approver_cache_s
    return Deps(
        settings=settings, runtime=runtime, client=client, outbox=Outbox(runtime, notifier.wake),
        notifier=notifier,
        approvers=Approvers(settings.approvers, client, ttl=ttl),
        roles=Roles(requesters=Members(settings.requesters, client, ttl=ttl),
                    admins=Members(settings.admins, client, ttl=ttl)),
        planner=planner or make_planner(settings, engine=runtime.engine),
        digests=DigestSettings(DigestScheduler(runtime, notifier.wake), settings.data_dir / "digests.json"),
        vocab=Vocabulary.from_settings(settings),
    )
