"""The channel catalogue: every delivery target keyart knows, with exact pixels and limits.

Sources: ../shared/reference/audit_specs.md §3 (platform guides; re-verify before release).
Safe-zone insets are fractions of the frame kept free of text and logos (brand placement) and
preferred clear of the subject's face (reframe).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Literal

Format = Literal["jpeg", "png", "webp"]

KB = 1000  # ad platforms state caps in decimal kilobytes
MB = 1000 * KB


@dataclass(frozen=True)
class SafeZone:
    """Insets (fractions of height/width) to keep free of copy and logos."""

    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0
    right: float = 0.0

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The safe rectangle in pixels, ``(left, top, right, bottom)``."""
        return (
            round(width * self.left),
            round(height * self.top),
            width - round(width * self.right),
            height - round(height * self.bottom),
        )


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    label: str
    platform: str
    width: int
    height: int
    format: Format = "jpeg"
    max_bytes: int | None = None
    dpi: int = 72
    safe_zone: SafeZone = field(default_factory=SafeZone)
    groups: tuple[str, ...] = ()
    note: str = ""

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def aspect(self) -> str:
        ratio = Fraction(self.width, self.height)
        return f"{ratio.numerator}:{ratio.denominator}"

    @property
    def aspect_ratio(self) -> float:
        return self.width / self.height

    @property
    def extension(self) -> str:
        return {"jpeg": "jpg", "png": "png", "webp": "webp"}[self.format]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["groups"] = list(self.groups)
        data["aspect"] = self.aspect
        return data


_STORY_ZONE = SafeZone(top=0.14, bottom=0.20)
_REELS_ZONE = SafeZone(top=0.14, bottom=0.35, left=0.06, right=0.06)
_TIKTOK_ZONE = SafeZone(top=150 / 1920, bottom=440 / 1920, right=150 / 1080)
_IAB = ("iab", "display", "google")


def _iab(name: str, label: str, w: int, h: int, cap_kb: int = 150, core: bool = True) -> ChannelSpec:
    groups = (*_IAB, "iab-core") if core else _IAB
    return ChannelSpec(
        name, label, "IAB", w, h, "jpeg", cap_kb * KB, groups=groups, note=f"IAB initial load ≤ {cap_kb} KB"
    )


SPECS: tuple[ChannelSpec, ...] = (
    # The 14 contract specs (design §8): names, sizes and caps are public.
    ChannelSpec(
        "meta-feed-square",
        "Meta feed 1:1",
        "Meta",
        1080,
        1080,
        max_bytes=30 * MB,
        groups=("meta", "instagram", "facebook", "feed", "social"),
    ),
    ChannelSpec(
        "meta-feed-portrait",
        "Meta feed 4:5",
        "Meta",
        1080,
        1350,
        max_bytes=30 * MB,
        groups=("meta", "instagram", "facebook", "feed", "social"),
    ),
    ChannelSpec(
        "story",
        "Stories 9:16",
        "Meta",
        1080,
        1920,
        max_bytes=30 * MB,
        safe_zone=_STORY_ZONE,
        groups=("meta", "instagram", "facebook", "stories", "social", "vertical"),
        note="keep 14 % top and 20 % bottom free of text and logos",
    ),
    ChannelSpec(
        "landing-hero",
        "Landing-page hero 16:9",
        "Web",
        1920,
        1080,
        "webp",
        groups=("web", "hero"),
        note="WebP for the web",
    ),
    ChannelSpec("web-hero-21x9", "Web hero 21:9", "Web", 2520, 1080, "webp", groups=("web", "hero")),
    ChannelSpec(
        "youtube-thumbnail",
        "YouTube thumbnail",
        "YouTube",
        1280,
        720,
        max_bytes=2 * MB,
        safe_zone=SafeZone(bottom=0.12, right=0.20),
        groups=("youtube", "video"),
        note="duration badge sits bottom-right",
    ),
    ChannelSpec(
        "linkedin-single",
        "LinkedIn single image",
        "LinkedIn",
        1200,
        628,
        max_bytes=5 * MB,
        groups=("linkedin", "social"),
    ),
    _iab("iab-medium-rectangle", "IAB medium rectangle", 300, 250),
    _iab("iab-leaderboard", "IAB leaderboard", 728, 90),
    _iab("iab-wide-skyscraper", "IAB wide skyscraper", 160, 600),
    _iab("iab-half-page", "IAB half page", 300, 600),
    _iab("iab-mobile-banner", "IAB mobile banner", 320, 50, cap_kb=50),
    _iab("iab-billboard", "IAB billboard", 970, 250, cap_kb=250),
    ChannelSpec(
        "print-a4-300dpi",
        "Print A4 at 300 dpi",
        "Print",
        2480,
        3508,
        "jpeg",
        dpi=300,
        safe_zone=SafeZone(top=0.05, bottom=0.05, left=0.05, right=0.05),
        groups=("print",),
        note="3 mm bleed not included; sRGB (convert to the printer's CMYK at the press)",
    ),
    # More from the research notes (§3).
    ChannelSpec(
        "meta-reels",
        "Meta Reels 9:16",
        "Meta",
        1080,
        1920,
        max_bytes=30 * MB,
        safe_zone=_REELS_ZONE,
        groups=("meta", "instagram", "reels", "vertical"),
        note="bottom 35 % is covered by UI",
    ),
    ChannelSpec(
        "tiktok-infeed",
        "TikTok in-feed 9:16",
        "TikTok",
        1080,
        1920,
        max_bytes=500 * KB,
        safe_zone=_TIKTOK_ZONE,
        groups=("tiktok", "social", "vertical"),
    ),
    ChannelSpec(
        "x-square", "X image 1:1", "X", 1200, 1200, max_bytes=5 * MB, groups=("x", "twitter", "social")
    ),
    ChannelSpec(
        "x-landscape", "X image 1.91:1", "X", 1200, 628, max_bytes=5 * MB, groups=("x", "twitter", "social")
    ),
    ChannelSpec(
        "linkedin-square", "LinkedIn square", "LinkedIn", 1200, 1200, max_bytes=5 * MB, groups=("linkedin",)
    ),
    _iab("iab-large-rectangle", "IAB large rectangle", 336, 280, core=False),
    _iab("iab-super-leaderboard", "IAB super leaderboard", 970, 90, cap_kb=200, core=False),
    _iab("iab-large-mobile-banner", "IAB large mobile banner", 320, 100, core=False),
    ChannelSpec(
        "dv360-medium-rectangle-2x",
        "DV360 300×250 at 2×",
        "DV360",
        600,
        500,
        max_bytes=10 * MB,
        groups=("dv360", "display"),
        note="uploaded at 2× for high-density screens",
    ),
    ChannelSpec(
        "dv360-leaderboard-2x",
        "DV360 728×90 at 2×",
        "DV360",
        1456,
        180,
        max_bytes=10 * MB,
        groups=("dv360", "display"),
    ),
    ChannelSpec(
        "ooh-bulletin-14x48",
        "OOH bulletin 14×48 ft at 10 ppi",
        "OOH",
        5760,
        1680,
        "jpeg",
        dpi=10,
        groups=("ooh", "print"),
        note="viewed from distance; 10 ppi at full size",
    ),
    # Added for issue 14 (trade vocabulary). Sources are cited per spec; re-verify before release.
    # DOOH screens: "majority are either 1920x1080 or 1080x1920 … JPG … 750 KB maximum for broadest
    # acceptance" (Basis DSP DOOH ad specs); Yahoo DSP shelter posters: 1080×1920 or 1920×1080 JPG ≤ 500 KB
    # (adspecs.yahooinc.com/dooh-ads/dooh-outdoor-displays). The lower cap is kept so one file fits both;
    # the 5 % margin follows "leave a margin around critical content … screen bezel variances"
    # (support.socastdigital.com, DOOH billboard ad specifications).
    ChannelSpec(
        "dooh-landscape",
        "DOOH screen 16:9",
        "DOOH",
        1920,
        1080,
        max_bytes=500 * KB,
        safe_zone=SafeZone(top=0.05, bottom=0.05, left=0.05, right=0.05),
        groups=("dooh", "ooh"),
        note="digital out-of-home landscape screen; bezels vary, keep copy 5 % in",
    ),
    ChannelSpec(
        "dooh-portrait",
        "DOOH screen 9:16",
        "DOOH",
        1080,
        1920,
        max_bytes=500 * KB,
        safe_zone=SafeZone(top=0.05, bottom=0.05, left=0.05, right=0.05),
        groups=("dooh", "ooh"),
        note="digital out-of-home portrait screen (shelters, malls); keep copy 5 % in",
    ),
    # Pinterest standard Pin: "2:3 aspect ratio, or 1000 x 1500 pixels", PNG or JPEG, max 20 MB on
    # desktop (help.pinterest.com/en/business/article/pinterest-product-specs).
    ChannelSpec(
        "pinterest-pin",
        "Pinterest standard Pin 2:3",
        "Pinterest",
        1000,
        1500,
        max_bytes=20 * MB,
        groups=("pinterest", "social"),
    ),
    # YouTube channel banner (the channel art a Masthead shows): 2560×1440, at least 2048×1152, ≤ 6 MB;
    # text and logos in the centred 1546×423 area visible on every device (YouTube channel-art
    # guidelines, quoted by blog.textureweb.com and picovert.com). The Masthead ad itself is a video.
    ChannelSpec(
        "youtube-banner",
        "YouTube channel banner / masthead art",
        "YouTube",
        2560,
        1440,
        max_bytes=6 * MB,
        safe_zone=SafeZone(top=508.5 / 1440, bottom=508.5 / 1440, left=507 / 2560, right=507 / 2560),
        groups=("youtube", "masthead"),
        note="only the centred 1546×423 strip shows on phones and desktop",
    ),
    # YouTube Shorts image ads: Demand Gen "Vertical 9:16 image … Recommended: 1080x1920, 5MB max …
    # Recommended for YouTube Shorts" (support.google.com/google-ads/answer/12785615). Google points to
    # its 9:16 video safe zones; the Reels zone below is the closest one measured, not Google's own.
    ChannelSpec(
        "youtube-shorts",
        "YouTube Shorts 9:16 image",
        "YouTube",
        1080,
        1920,
        max_bytes=5 * MB,
        safe_zone=_REELS_ZONE,
        groups=("youtube", "shorts", "vertical"),
        note="bottom third sits under the Shorts UI",
    ),
)

_BY_NAME = {spec.name: spec for spec in SPECS}
CONTRACT_SPECS: tuple[str, ...] = tuple(spec.name for spec in SPECS[:14])
DEFAULT_SET: tuple[str, ...] = CONTRACT_SPECS


class UnknownSpecError(KeyError):
    """A spec name the catalogue does not hold; ``suggestion`` is the closest one, if any."""

    def __init__(self, name: str, suggestion: str | None) -> None:
        self.name = name
        self.suggestion = suggestion
        hint = ""
        if suggestion:
            s = _BY_NAME[suggestion]
            hint = f" — did you mean `{suggestion}` ({s.width}×{s.height})?"
        super().__init__(f"I don't know the spec `{name}`{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


def get_spec(name: str) -> ChannelSpec:
    """Look up a spec by exact name, raising ``UnknownSpecError`` with a suggestion."""
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_BY_NAME), n=1, cutoff=0.6)
        raise UnknownSpecError(name, close[0] if close else None) from None


def all_specs() -> tuple[ChannelSpec, ...]:
    return SPECS


def specs_in_group(group: str) -> list[ChannelSpec]:
    return [spec for spec in SPECS if group in spec.groups]


def spec_for_size(width: int, height: int) -> ChannelSpec | None:
    """The catalogue spec with exactly this pixel size (contract specs first)."""
    return next((s for s in SPECS if s.size == (width, height)), None)
