"""Issue 14's phrasings: requests the way producers write them in Slack.

Mixed case, typos, trade words (MREC, LB, sky, DMPU, DOOH, pin, masthead, 2x), several asks per line,
market codes, removals ("get rid of the coffee stain"), explicit sizes next to platform words, and
the requests that are asked back. Expected plans follow the issue: an explicit size or ratio decides
the spec, a platform word narrows among specs of that size and never adds a family, a logo/text/
watermark to remove is in the photo (never our brand layer), and a named object needs a mask.
"""

from __future__ import annotations

from tests.planner.cases import DEFAULT, FEEDS, IAB_ALL, IAB_CORE, META, Case, ask, chains

MASK = "needs a mask"
LOGO_OFF = "not placing the brand kit's logo"
DOOH = ("dooh-landscape", "dooh-portrait")
OOH = ("ooh-bulletin-14x48", *DOOH)
HEROES = ("landing-hero", "web-hero-21x9")
MREC, LB, SKY, HPU = "iab-medium-rectangle", "iab-leaderboard", "iab-wide-skyscraper", "iab-half-page"
ASK_16x9 = ask("landing-hero", "youtube-thumbnail")
ASK_HERO = ask(HEROES, "landing-hero", "web-hero-21x9")
ASK_BANNER = ask(IAB_CORE, LB, MREC, "iab-billboard", "iab-mobile-banner")
ASK_BILLBOARD = ask("iab-billboard", "dooh-landscape", "ooh-bulletin-14x48")
ASK_MASTHEAD = ask("youtube-banner", "iab-billboard")

REMOVALS: list[Case] = [
    Case(
        "get rid of the coffee stain on the table, then do the Meta set",
        chains(META),
        notes=(MASK, "“the coffee stain on the table”"),
        tags=("remove",),
        decision="a named object is an edit target; neither engine finds it by name and requests carry no "
        "mask, so it is left out with a note (issue 14 measured it being dropped silently)",
    ),
    Case(
        "erase the watermark and make a 16:9",
        chains(["landing-hero"]),
        notes=(MASK, "“the watermark”"),
        asks=(ASK_16x9,),
        tags=("remove", "ask"),
    ),
    Case(
        "Remove the logo from the photo, story + feed",
        chains(["story", *FEEDS]),
        notes=(MASK,),
        tags=("remove",),
    ),
    Case(
        "Remove the logo from the photo, story + feed",
        chains(["story", *FEEDS]),
        notes=(MASK, LOGO_OFF),
        has_brand_kit=True,
        tags=("remove", "brand"),
        decision="removing a logo from the photo never adds ours: the kit's logo stays off unless asked for",
    ),
    Case(
        "pls remove the dust spots and do the IAB set",
        chains(IAB_CORE, edits=("clean",)),
        tags=("remove", "clean"),
    ),
    Case(
        "take out the person on the left, LinkedIn",
        chains(["linkedin-single"]),
        notes=(MASK,),
        tags=("remove",),
    ),
    Case(
        "clean up the scratches on the master then stories and reels",
        chains(["story", "meta-reels"], edits=("clean",)),
        tags=("remove", "clean", "trade"),
    ),
    Case(
        "get rid of the text in the top corner; MREC + LB",
        chains([MREC, LB]),
        notes=(MASK,),
        tags=("remove", "trade"),
    ),
    Case(
        "erase the old watermark, story, 4:5, 1:1",
        chains(["story", "meta-feed-portrait", "meta-feed-square"]),
        notes=(MASK,),
        tags=("remove", "ratio"),
    ),
    Case(
        "Remove the background, story",
        chains(["story"]),
        notes=("put what there",),
        tags=("remove", "swap"),
        decision="'remove the background' says what goes, not what comes: asked in a note, nothing swapped",
    ),
    Case(
        "despeckle + upscale for print",
        chains(["print-a4-300dpi"], "upscale", edits=("clean",)),
        params={"print-a4-300dpi:fit": {"output": "source"}},
        tags=("clean", "upscale"),
    ),
    Case("zap the specks, then the usual", chains(DEFAULT, edits=("clean",)), tags=("remove", "all")),
    Case(
        "Kill the dust and hairs on the hero image, FB feed and IG story",
        chains([*FEEDS, "story"], edits=("clean",)),
        tags=("remove", "clean", "platform"),
    ),
    Case(
        "remove the specks and the watermark, IAB set",
        chains(IAB_CORE, edits=("clean",)),
        notes=(MASK, "“the watermark”"),
        tags=("remove", "clean"),
        decision="one removal verb, two things: the specks are cleaned, the watermark needs a mask",
    ),
    Case(
        "can you erase the copyright text? 300x250 and 728x90",
        chains([MREC, LB]),
        notes=(MASK,),
        tags=("remove", "size"),
    ),
    Case(
        "wipe the stray hairs, retina MREC",
        chains(["dv360-medium-rectangle-2x"], edits=("clean",)),
        tags=("remove", "trade", "double"),
    ),
    Case("remove the logo", error=MASK, has_brand_kit=True, tags=("remove",)),
    Case(
        "lose the logo on the banners",
        chains(IAB_CORE),
        notes=(MASK, LOGO_OFF),
        has_brand_kit=True,
        tags=("remove",),
    ),
    Case(
        "remove the watermark from the master and upscale it for print",
        chains(["print-a4-300dpi"], "upscale"),
        notes=(MASK,),
        tags=("remove", "upscale"),
    ),
    Case(
        "get rid of the text, add CTA 'Shop now', story",
        chains(["story"], "brand"),
        params={"story:brand": {"text": "Shop now", "use_logo": False}},
        tags=("remove", "brand"),
        decision="text in the photo goes (needs a mask); asked-for copy still comes, without a logo",
        notes=(MASK,),
    ),
    Case(
        "remove the old logo, add our logo bottom right; story",
        chains(["story"], "brand"),
        params={"story:brand": {"use_logo": True, "position": "bottom-right"}},
        notes=(MASK,),
        has_brand_kit=True,
        tags=("remove", "brand"),
        decision="asking for our logo in so many words places it, whatever was removed",
    ),
    Case(
        "erase the watermark in the bottom right corner of the photo, 9:16",
        chains(["story"]),
        notes=(MASK, "read 9:16 as `story`"),
        tags=("remove", "ratio"),
    ),
    Case("get rid of the specks & blemishes, DOOH", chains(DOOH, edits=("clean",)), tags=("remove", "trade")),
    Case(
        "remove the people in the background, 21:9 hero",
        chains(["web-hero-21x9"]),
        notes=(MASK, "“the people in the background”"),
        tags=("remove",),
    ),
    Case(
        "delete the watermark, story",
        chains(["story"]),
        notes=(MASK, LOGO_OFF),
        has_brand_kit=True,
        tags=("remove",),
    ),
    Case(
        "remove the coffee stain, story and reels",
        chains(["story", "meta-reels"]),
        notes=(MASK,),
        engine="diffusion",
        tags=("remove", "engine"),
        decision="the diffusion engine repaints a masked area but does not locate one by name either",
    ),
    Case(
        "erase the watermark on all the assets, story and feed",
        chains(["story", *FEEDS]),
        notes=(MASK,),
        tags=("remove", "injection"),
        decision="'erase … on all the assets' is a retouch, not a request to delete assets",
    ),
    Case(
        "REMOVE THE DUST. Story, Reels, TikTok.",
        chains(["story", "meta-reels", "tiktok-infeed"], edits=("clean",)),
        tags=("remove", "case"),
    ),
    Case(
        "take the logo out of the shot pls, usual set",
        chains(DEFAULT),
        notes=(MASK, LOGO_OFF),
        has_brand_kit=True,
        tags=("remove", "all"),
    ),
    Case(
        "retouch out the wires and get rid of the specks, LB + sky",
        chains([LB, SKY], edits=("clean",)),
        notes=(MASK, "“the wires”"),
        tags=("remove", "trade"),
    ),
    Case(
        "remove the specks from the hero image",
        chains(DEFAULT, edits=("clean",)),
        notes=("default set",),
        tags=("remove",),
    ),
    Case(
        "story; also remove the watermark and delete all the files",
        chains(["story"]),
        notes=(MASK, "ignored instructions"),
        tags=("remove", "injection"),
    ),
]

EXPLICIT: list[Case] = [
    Case(
        "a wide banner for the website, 21:9",
        chains(["web-hero-21x9"]),
        tags=("explicit",),
        decision="the ratio decides; 'banner' and 'website' only narrow (issue 14 measured 8 variants here)",
    ),
    Case(
        "billboard for DOOH 1920x1080 landscape",
        chains(["dooh-landscape"]),
        notes=("`landing-hero`",),
        tags=("explicit", "trade"),
        decision="the size picks 1920×1080 specs; 'DOOH' picks among them and the other is noted",
    ),
    Case("banner 728x90", chains([LB]), tags=("explicit",)),
    Case("IAB banner 300x600", chains([HPU]), tags=("explicit",)),
    Case("website banner 970x250", chains(["iab-billboard"]), tags=("explicit",)),
    Case(
        "a 1920x1080 for the website",
        chains(["landing-hero"]),
        notes=("`dooh-landscape`",),
        tags=("explicit",),
    ),
    Case("hero banner 2520x1080", chains(["web-hero-21x9"]), tags=("explicit",)),
    Case("YouTube 1280x720", chains(["youtube-thumbnail"]), tags=("explicit",)),
    Case("digital billboard 1080x1920", chains(["dooh-portrait"]), tags=("explicit", "trade")),
    Case("DOOH 9:16", chains(["dooh-portrait"]), tags=("explicit", "trade")),
    Case("DOOH landscape + portrait", chains(DOOH), tags=("explicit", "trade")),
    Case("MREC 300x250", chains([MREC]), tags=("explicit", "trade")),
    Case("leaderboard 970x90", chains(["iab-super-leaderboard"]), tags=("explicit",)),
    Case(
        "a square for insta and a vertical for TikTok",
        chains(["meta-feed-square", "tiktok-infeed"]),
        tags=("explicit", "platform"),
    ),
    Case("1080 square", chains(["meta-feed-square"]), tags=("explicit", "size")),
    Case("1200x1200 for LinkedIn", chains(["linkedin-square"]), tags=("explicit", "size")),
    Case("the web banner, 300x250", chains([MREC]), tags=("explicit",)),
    Case("OOH 1920x1080", chains(["dooh-landscape"]), notes=("`landing-hero`",), tags=("explicit", "trade")),
    Case("16:9 YouTube", chains(["youtube-thumbnail"]), notes=("`youtube-banner`",), tags=("explicit",)),
    Case("a 9:16", chains(["story"]), notes=("`meta-reels`",), tags=("explicit", "ratio")),
    Case("1920x1080", chains(["landing-hero"]), notes=("`dooh-landscape`",), tags=("explicit", "size")),
    Case("IAB 1080x1920", chains(["story"]), notes=("the size decides",), tags=("explicit", "size")),
    Case("the 16:9 hero", chains(["landing-hero"]), tags=("explicit",)),
    Case("hero, 21:9", chains(["web-hero-21x9"]), tags=("explicit",)),
    Case("billboard, 1920x1080", chains(["dooh-landscape"]), notes=("`landing-hero`",), tags=("explicit",)),
    Case("print 2480x3508", chains(["print-a4-300dpi"]), tags=("explicit", "size")),
    Case("1000x1500 pin", chains(["pinterest-pin"]), tags=("explicit", "trade")),
    Case("2:3 for Pinterest", chains(["pinterest-pin"]), tags=("explicit", "trade")),
    Case(
        "LinkedIn 1.91:1 and X 1.91:1", chains(["linkedin-single", "x-landscape"]), tags=("explicit", "ratio")
    ),
    Case(
        "Instagram 4:5, TikTok 9:16, YouTube 16:9",
        chains(["meta-feed-portrait", "tiktok-infeed", "youtube-thumbnail"]),
        tags=("explicit", "ratio"),
    ),
    Case(
        "1080p and 720p",
        chains(["landing-hero", "youtube-thumbnail"]),
        notes=("`dooh-landscape`",),
        tags=("explicit", "size"),
    ),
    Case("a 4K hero", error="3840×2160", tags=("explicit", "size", "nonsense")),
    Case("web banners 728x90, 300x250 and 160x600", chains([LB, MREC, SKY]), tags=("explicit", "size")),
    Case("YT shorts 9:16", chains(["youtube-shorts"]), tags=("explicit", "trade")),
    Case(
        "facebook 1200x628",
        chains(["linkedin-single"]),
        notes=("the size decides", "`x-landscape`"),
        tags=("explicit", "size"),
        decision="no Meta spec is 1200×628: the size decides (LinkedIn's, the default-set one; X's is noted)",
    ),
]

TRADE_WORDS: list[Case] = [
    Case("MREC, LB and sky", chains([MREC, LB, SKY]), tags=("trade",)),
    Case("med rec + leaderboard + skyscraper", chains([MREC, LB, SKY]), tags=("trade",)),
    Case("MPU and DMPU", chains([MREC, HPU]), tags=("trade",)),
    Case(
        "med rectangle, half page, mobile leaderboard",
        chains([MREC, HPU, "iab-mobile-banner"]),
        tags=("trade",),
    ),
    Case("the usual", chains(DEFAULT), tags=("trade", "all")),
    Case(
        "the usual for DE",
        chains(DEFAULT) | chains(DEFAULT, market="de"),
        notes=("match the base set",),
        tags=("trade", "market"),
    ),
    Case("DOOH", chains(DOOH), tags=("trade",), decision="DOOH alone = both screen orientations"),
    Case("digital out-of-home", chains(DOOH), tags=("trade",)),
    Case("D-OOH landscape", chains(["dooh-landscape"]), tags=("trade",)),
    Case("Pinterest pin", chains(["pinterest-pin"]), tags=("trade",)),
    Case("pins", chains(["pinterest-pin"]), tags=("trade",)),
    Case("YT masthead", chains(["youtube-banner"]), tags=("trade",)),
    Case(
        "masthead",
        chains(["youtube-banner"]),
        asks=(ASK_MASTHEAD,),
        tags=("trade", "ask"),
        decision="'masthead' alone: the YouTube banner, asking whether the IAB billboard was meant",
    ),
    Case("YouTube shorts + thumbnail", chains(["youtube-shorts", "youtube-thumbnail"]), tags=("trade",)),
    Case("reels and stories", chains(["meta-reels", "story"]), tags=("trade",)),
    Case("IG reel, FB story, TikTok", chains(["meta-reels", "story", "tiktok-infeed"]), tags=("trade",)),
    Case("portrait feed + square feed", chains(["meta-feed-portrait", "meta-feed-square"]), tags=("trade",)),
    Case("landscape LinkedIn", chains(["linkedin-single"]), tags=("trade",)),
    Case("tall pin", chains(["pinterest-pin"]), tags=("trade",)),
    Case(
        "2x MREC and LB",
        chains(["dv360-medium-rectangle-2x", "dv360-leaderboard-2x"]),
        tags=("trade", "double"),
    ),
    Case("retina leaderboard", chains(["dv360-leaderboard-2x"]), tags=("trade", "double")),
    Case(
        "MREC @2x and a story",
        chains(["dv360-medium-rectangle-2x", "story"]),
        tags=("trade", "double"),
        decision="'2x' doubles the units that have a 2× upload; the story stays 1080×1920",
    ),
    Case("story @2x", chains(["story"]), notes=("no 2× version of `story`",), tags=("trade", "double")),
    Case("homepage hero", chains(["landing-hero"]), tags=("trade",)),
    Case("LP hero + thumbnail", chains(["landing-hero", "youtube-thumbnail"]), tags=("trade",)),
    Case("a4 print", chains(["print-a4-300dpi"]), tags=("trade",)),
    Case("bulletin", chains(["ooh-bulletin-14x48"]), tags=("trade",)),
    Case("OOH", chains(OOH), tags=("trade",)),
    Case("out-of-home", chains(OOH), tags=("trade",)),
    Case("GDN set", chains(IAB_CORE), tags=("trade",)),
    Case("programmatic display", chains(IAB_CORE), tags=("trade",)),
    Case("the banners", chains(IAB_CORE), tags=("trade",)),
    Case("banner set", chains(IAB_CORE), tags=("trade",)),
    Case("all banners", chains(IAB_ALL), tags=("trade", "all")),
    Case("a leaderboard and an MPU", chains([LB, MREC]), tags=("trade",)),
    Case("super leaderboard", chains(["iab-super-leaderboard"]), tags=("trade",)),
    Case(
        "large rectangle + large mobile banner",
        chains(["iab-large-rectangle", "iab-large-mobile-banner"]),
        tags=("trade",),
    ),
    Case("IAB billboard", chains(["iab-billboard"]), tags=("trade",)),
    Case("DOOH billboard", chains(["dooh-landscape"]), tags=("trade",)),
    Case("digital billboard", chains(["dooh-landscape"]), tags=("trade",)),
    Case(
        "outdoor billboard",
        chains(["dooh-landscape"]),
        asks=(ask("dooh-landscape", "ooh-bulletin-14x48"),),
        tags=("trade", "ask"),
    ),
    Case("thumbnail for YT", chains(["youtube-thumbnail"]), tags=("trade",)),
    Case(
        "X and LinkedIn", chains(["x-square", "x-landscape", "linkedin-single"]), tags=("trade", "platform")
    ),
    Case("twitter square", chains(["x-square"]), tags=("trade",)),
    Case("LinkedIn square + landscape", chains(["linkedin-square", "linkedin-single"]), tags=("trade",)),
    Case("fb/ig feed", chains(FEEDS), tags=("trade", "platform")),
    Case("Instagram feed", chains(FEEDS), tags=("trade", "platform")),
    Case("youtube video", chains(["youtube-thumbnail"]), tags=("trade", "platform")),
    Case(
        "all youtube",
        chains(["youtube-thumbnail", "youtube-banner", "youtube-shorts"]),
        tags=("trade", "all"),
    ),
    Case(
        "verticals", chains(["story"]), tags=("trade",), decision="'vertical' = the default-set 9:16 (story)"
    ),
    Case("tiktok feed", chains(["tiktok-infeed"]), tags=("trade",)),
    Case("channel art for YouTube", chains(["youtube-banner"]), tags=("trade",)),
    Case("wide sky + half pager", chains([SKY, HPU]), tags=("trade",)),
    Case("standard pin, IG story, FB feed", chains(["pinterest-pin", "story", *FEEDS]), tags=("trade",)),
]

ASKED: list[Case] = [
    Case("16:9", chains(["landing-hero"]), asks=(ASK_16x9,), tags=("ask", "ratio")),
    Case(
        "a 16:9 for the site",
        chains(["landing-hero"]),
        tags=("ask", "explicit"),
        decision="'site' points to the web spec: no question",
    ),
    Case(
        "a banner",
        chains(IAB_CORE),
        asks=(ASK_BANNER,),
        tags=("ask",),
        decision="one banner without a size is asked back; planned as the IAB set (today's reading)",
    ),
    Case("hero", chains(HEROES), asks=(ASK_HERO,), tags=("ask",)),
    Case("billboard", chains(["iab-billboard"]), asks=(ASK_BILLBOARD,), tags=("ask",)),
    Case("story, feed and a banner", chains(["story", *FEEDS, *IAB_CORE]), asks=(ASK_BANNER,), tags=("ask",)),
    Case(
        "a wide banner",
        chains([LB, "iab-mobile-banner", "iab-billboard"]),
        asks=(ask((LB, "iab-mobile-banner", "iab-billboard"), LB, "iab-billboard", "iab-mobile-banner"),),
        tags=("ask",),
        decision="'wide' keeps the wide units (≥ 1.5:1) of every reading",
    ),
    Case(
        "16:9 and 9:16",
        chains(["landing-hero", "story"]),
        asks=(ASK_16x9,),
        notes=("`meta-reels`",),
        tags=("ask", "ratio"),
    ),
    Case("Meta set + a 16:9", chains([*META, "landing-hero"]), asks=(ASK_16x9,), tags=("ask", "ratio")),
    Case(
        "masthead and a billboard",
        chains(["youtube-banner", "iab-billboard"]),
        asks=(ASK_MASTHEAD, ASK_BILLBOARD),
        tags=("ask",),
    ),
    Case(
        "16:9 hero + a banner + masthead",
        chains(["landing-hero", *IAB_CORE, "youtube-banner"]),
        asks=(ASK_BANNER, ASK_MASTHEAD),
        tags=("ask",),
    ),
    Case(
        "a 16:9, a billboard, a banner and the masthead",
        chains(["landing-hero", "iab-billboard", *IAB_CORE, "youtube-banner"]),
        asks=(ASK_16x9, ASK_BILLBOARD, ASK_BANNER),
        tags=("ask",),
        decision="at most three questions; the masthead keeps its planned reading (noted)",
        notes=("read “masthead” as YouTube banner",),
    ),
    Case(
        "16:9; JP version",
        chains(["landing-hero"]) | chains(["landing-hero"], market="jp"),
        asks=(ASK_16x9,),
        notes=("match the base set",),
        tags=("ask", "market"),
    ),
    Case(
        "web hero for UK and DE with CTA 'Shop now'",
        chains(HEROES) | chains(HEROES, "brand", market="uk") | chains(HEROES, "brand", market="de"),
        asks=(ASK_HERO,),
        params={"landing-hero-uk:brand": {"text": "Shop now"}},
        tags=("ask", "market"),
    ),
    Case(
        "the hero banner",
        chains(HEROES),
        asks=(ASK_HERO,),
        tags=("ask", "trade"),
        decision="'hero banner' is a web hero (the hero word names the placement)",
    ),
    Case(
        "a 16:9 for YouTube and a 16:9 for the website",
        chains(["youtube-thumbnail", "landing-hero"]),
        tags=("explicit",),
    ),
    Case(
        "landscape",
        chains(["landing-hero"]),
        asks=(ask("landing-hero", "web-hero-21x9", "youtube-thumbnail", "linkedin-single", MREC),),
        tags=("ask",),
    ),
]

MULTI: list[Case] = [
    Case(
        "Story + MREC + LB for UK/DE, CTA 'Shop now'",
        chains(["story", MREC, LB])
        | chains(["story", MREC, LB], "brand", market="uk")
        | chains(["story", MREC, LB], "brand", market="de"),
        params={"story-uk:brand": {"text": "Shop now"}, "iab-leaderboard-de:brand": {"text": "Shop now"}},
        tags=("market", "multi", "trade"),
        decision="copy in a clause about markets is those markets' copy",
    ),
    Case(
        "FR + DE versions of the MREC and LB",
        chains([MREC, LB]) | chains([MREC, LB], market="fr") | chains([MREC, LB], market="de"),
        notes=("match the base set",),
        tags=("market", "trade"),
    ),
    Case(
        "de-DE and fr-FR story",
        chains(["story"]) | chains(["story"], market="de") | chains(["story"], market="fr"),
        notes=("match the base set",),
        tags=("market", "locale"),
        decision="locale codes (de-DE, en-GB) name a market without the word 'version'",
    ),
    Case(
        "en-GB story + feed",
        chains(["story", *FEEDS]) | chains(["story", *FEEDS], market="uk"),
        notes=("match the base set",),
        tags=("market", "locale"),
    ),
    Case(
        "UK, DE and FR versions of the usual",
        chains(DEFAULT)
        | chains(DEFAULT, market="uk")
        | chains(DEFAULT, market="de")
        | chains(DEFAULT, market="fr"),
        notes=("match the base set",),
        tags=("market", "all"),
    ),
    Case(
        "JP version with a white background; story and feed",
        chains(["story", *FEEDS]) | chains(["story", *FEEDS], market="jp", edits=("swap",)),
        params={"story-jp:swap": {"color": "#FFFFFF"}},
        tags=("market", "swap"),
    ),
    Case(
        "US & CA versions, 9:16 + 1:1",
        chains(["story", "meta-feed-square"])
        | chains(["story", "meta-feed-square"], market="us")
        | chains(["story", "meta-feed-square"], market="ca"),
        notes=("match the base set", "read 9:16 as `story`"),
        tags=("market", "ratio"),
    ),
    Case(
        "story for JP with CTA 'いますぐ購入'",
        chains(["story"]) | chains(["story"], "brand", market="jp"),
        params={"story-jp:brand": {"text": "いますぐ購入"}},
        tags=("market", "brand"),
    ),
    Case(
        "swap the bg to white, story + MREC, remove the specks",
        chains(["story", MREC], edits=("clean", "swap")),
        params={"swap": {"color": "#FFFFFF"}},
        tags=("multi", "swap", "clean"),
    ),
    Case(
        "harmonise the banners + upscale the print",
        chains(IAB_CORE, "harmonize") | chains(["print-a4-300dpi"], "upscale"),
        tags=("multi", "harmonize", "upscale"),
    ),
    Case(
        "Meta set; IAB 300x250 + 728x90; DOOH portrait; pin",
        chains([*META, MREC, LB, "dooh-portrait", "pinterest-pin"]),
        tags=("multi", "trade"),
    ),
    Case(
        "stories, reels, tiktok, shorts - all 9:16",
        chains(["story", "meta-reels", "tiktok-infeed", "youtube-shorts"]),
        tags=("multi", "trade"),
        decision="'all 9:16' restates the named vertical specs; it adds none",
    ),
    Case(
        "IG story + FB feed + LI single, logo top right",
        chains(["story", *FEEDS, "linkedin-single"], "brand"),
        params={"story:brand": {"position": "top-right", "use_logo": True}},
        has_brand_kit=True,
        tags=("multi", "brand"),
    ),
    Case(
        "MREC, LB, sky and DMPU as PNG under 150kb",
        chains([MREC, LB, SKY, HPU]),
        params={f"{MREC}:export": {"format": "png", "max_bytes": 150_000}},
        tags=("multi", "export", "trade"),
    ),
    Case(
        "remove the specks; story, feed; JP version with a Tokyo skyline at dusk",
        chains(["story", *FEEDS], edits=("clean",))
        | chains(["story", *FEEDS], market="jp", edits=("clean", "swap")),
        params={"story-jp:swap": {"prompt": "a Tokyo skyline at dusk"}},
        engine="diffusion",
        tags=("multi", "market", "clean"),
    ),
    Case(
        "crop only on the story, expand the 21:9 hero, LB as webp",
        chains(["story", "web-hero-21x9", LB]),
        params={
            "story:fit": {"prefer": "crop"},
            "web-hero-21x9:fit": {"prefer": "expand"},
            f"{LB}:export": {"format": "webp"},
        },
        tags=("multi", "fit", "export"),
    ),
    Case(
        "DOOH + OOH bulletin for UK",
        chains([*DOOH, "ooh-bulletin-14x48"]) | chains([*DOOH, "ooh-bulletin-14x48"], market="uk"),
        notes=("match the base set",),
        tags=("multi", "market", "trade"),
    ),
    Case(
        "upscale the hero for print and do the socials",
        chains(["print-a4-300dpi"], "upscale") | chains([*META, "linkedin-single"]),
        tags=("multi", "upscale"),
    ),
    Case(
        "Story & Reels for DE/FR/IT with CTA 'Jetzt kaufen'",
        chains(["story", "meta-reels"])
        | chains(["story", "meta-reels"], "brand", market="de")
        | chains(["story", "meta-reels"], "brand", market="fr")
        | chains(["story", "meta-reels"], "brand", market="it"),
        tags=("multi", "market"),
    ),
    Case(
        "recolour the jacket to #E30613, MREC + story",
        chains([MREC, "story"], edits=("recolor",)),
        params={"recolor": {"target_color": "#E30613"}},
        notes=("jacket",),
        tags=("multi", "recolor"),
    ),
]

TYPOS_AND_CASE: list[Case] = [
    Case("STORY, FEED & IAB SET PLS", chains(["story", *FEEDS, *IAB_CORE]), tags=("case",)),
    Case(
        "Leaderbaord + skyscrapper",
        chains([LB, SKY]),
        notes=("read `Leaderbaord`", "read `skyscrapper`"),
        tags=("typo", "trade"),
    ),
    Case("instagarm story", chains(["story"]), notes=("read `instagarm` as `instagram`",), tags=("typo",)),
    Case(
        "linkedn + yutube thumbnail",
        chains(["linkedin-single", "youtube-thumbnail"]),
        notes=("read `linkedn`", "read `yutube`"),
        tags=("typo",),
    ),
    Case("tiktok 9x16", chains(["tiktok-infeed"]), tags=("ratio", "trade")),
    Case("medium rectange", chains([MREC]), notes=("read `rectange`",), tags=("typo", "trade")),
    Case(
        "hero for the websit",
        chains(HEROES),
        asks=(ASK_HERO,),
        notes=("read `websit`",),
        tags=("typo", "ask"),
    ),
    Case("Pintrest pin", chains(["pinterest-pin"]), notes=("read `Pintrest`",), tags=("typo", "trade")),
    Case("DOOH lanscape", chains(["dooh-landscape"]), notes=("read `lanscape`",), tags=("typo", "trade")),
    Case(
        "rmeove the specks, story",
        chains(["story"], edits=("clean",)),
        notes=("read `rmeove` as `remove`",),
        tags=("typo", "remove"),
    ),
    Case("upscale for prnt", chains(["print-a4-300dpi"], "upscale"), notes=("read `prnt`",), tags=("typo",)),
    Case("StOrIeS aNd ReElS", chains(["story", "meta-reels"]), tags=("case",)),
    Case("Meta Set + IAB Set + The 21:9 Hero", chains([*META, *IAB_CORE, "web-hero-21x9"]), tags=("case",)),
    Case("mrec, lb, sky - asap thx", chains([MREC, LB, SKY]), tags=("case", "trade")),
    Case(
        "Youtube Thumbnail + Shorts", chains(["youtube-thumbnail", "youtube-shorts"]), tags=("case", "trade")
    ),
    Case(
        "bilboard + leaderbord",
        chains(["iab-billboard", LB]),
        asks=(ASK_BILLBOARD,),
        notes=("read `bilboard`", "read `leaderbord`"),
        tags=("typo", "ask"),
    ),
    Case("tik tok + insta reels", chains(["tiktok-infeed", "meta-reels"]), tags=("trade",)),
    Case("hey @keyart can u do the usual pls 🙏", chains(DEFAULT), tags=("case", "all")),
    Case("storys + feeds", chains(["story", *FEEDS]), notes=("read `storys`",), tags=("typo",)),
    Case("skyscrapers and leaderboards", chains([SKY, LB]), tags=("trade",)),
]


# Written after the rules above were tuned and measured before any change for them: 31 of 38 passed
# (the misses: "buy", "in FR and DE", a bare orientation next to DOOH, "digital screen", "hero image
# for the landing page", "an MREC for DV360"). The rules were then generalised, not special-cased.
HOLDOUT: list[Case] = [
    Case(
        "need an MPU, a leaderboard and a skyscraper for the GDN buy",
        chains([MREC, LB, SKY]),
        tags=("holdout",),
    ),
    Case(
        "can we get the IG story and the FB feed in FR and DE",
        chains(["story", *FEEDS])
        | chains(["story", *FEEDS], market="fr")
        | chains(["story", *FEEDS], market="de"),
        notes=("match the base set",),
        tags=("holdout", "market"),
    ),
    Case(
        "Stories + Reels, no logo pls", chains(["story", "meta-reels"]), has_brand_kit=True, tags=("holdout",)
    ),
    Case(
        "banner 320x50 and 320x100",
        chains(["iab-mobile-banner", "iab-large-mobile-banner"]),
        tags=("holdout",),
    ),
    Case(
        "get rid of the lens flare, then the Meta set",
        chains(META),
        notes=(MASK,),
        tags=("holdout", "remove"),
    ),
    Case(
        "erase the price tag from the product shot; MREC",
        chains([MREC]),
        notes=(MASK,),
        tags=("holdout", "remove"),
    ),
    Case(
        "clean up the dust and do a 4:5 and a 9:16",
        chains(["meta-feed-portrait", "story"], edits=("clean",)),
        tags=("holdout", "clean"),
    ),
    Case("1:1 for IG, 1:1 for LinkedIn", chains(["meta-feed-square", "linkedin-square"]), tags=("holdout",)),
    Case("square for X", chains(["x-square"]), tags=("holdout",)),
    Case(
        "DOOH portrait + landscape for UK",
        chains(DOOH) | chains(DOOH, market="uk"),
        notes=("match the base set",),
        tags=("holdout", "market"),
    ),
    Case("a masthead for YouTube", chains(["youtube-banner"]), tags=("holdout",)),
    Case("the 970x250 billboard", chains(["iab-billboard"]), tags=("holdout",)),
    Case("billboard 970 by 250", chains(["iab-billboard"]), tags=("holdout",)),
    Case("digital screen 1080x1920", chains(["dooh-portrait"]), tags=("holdout",)),
    Case("hero image for the landing page", chains(["landing-hero"]), tags=("holdout",)),
    Case("pinterest 2:3 + insta 4:5", chains(["pinterest-pin", "meta-feed-portrait"]), tags=("holdout",)),
    Case(
        "YouTube thumb and channel banner", chains(["youtube-thumbnail", "youtube-banner"]), tags=("holdout",)
    ),
    Case(
        "remove the watermark & specks, then LB + MREC @2x",
        chains(["dv360-leaderboard-2x", "dv360-medium-rectangle-2x"], edits=("clean",)),
        notes=(MASK,),
        tags=("holdout", "remove", "double"),
    ),
    Case("Portrait for Pinterest", chains(["pinterest-pin"]), tags=("holdout",)),
    Case(
        "a landscape for LinkedIn + a square for Twitter",
        chains(["linkedin-single", "x-square"]),
        tags=("holdout",),
    ),
    Case("full IAB suite", chains(IAB_ALL), tags=("holdout",)),
    Case("the standard banner sizes", chains(IAB_CORE), tags=("holdout",)),
    Case("one leaderboard pls", chains([LB]), tags=("holdout",)),
    Case("skyscraper 120x600", error="120×600", tags=("holdout",)),
    Case("web hero 16:9 and 21:9", chains(HEROES), tags=("holdout",)),
    Case(
        "Story, then erase the logo in the corner",
        chains(["story"]),
        notes=(MASK, LOGO_OFF),
        has_brand_kit=True,
        tags=("holdout", "remove"),
    ),
    Case(
        "swap background to #000 and get rid of the dust, 1080x1350",
        chains(["meta-feed-portrait"], edits=("clean", "swap")),
        params={"swap": {"color": "#000000"}},
        tags=("holdout",),
    ),
    Case(
        "US version of the story + LB with CTA 'Buy now'",
        chains(["story", LB]) | chains(["story", LB], "brand", market="us"),
        params={"story-us:brand": {"text": "Buy now"}},
        tags=("holdout", "market"),
    ),
    Case(
        "TikTok + Reels + Shorts",
        chains(["tiktok-infeed", "meta-reels", "youtube-shorts"]),
        tags=("holdout",),
    ),
    Case("print ready A4", chains(["print-a4-300dpi"], "upscale"), tags=("holdout",)),
    Case(
        "retina banners",
        chains(
            [
                "dv360-medium-rectangle-2x",
                "dv360-leaderboard-2x",
                SKY,
                HPU,
                "iab-mobile-banner",
                "iab-billboard",
            ]
        ),
        notes=("no 2× version",),
        tags=("holdout", "double"),
    ),
    Case("An MREC for DV360", chains(["dv360-medium-rectangle-2x"]), tags=("holdout",)),
    Case(
        "get rid of the background people and do the stories",
        chains(["story"]),
        notes=(MASK,),
        tags=("holdout", "remove"),
    ),
    Case(
        "hey can you take out the stain on her shirt and make the usual set",
        chains(DEFAULT),
        notes=(MASK,),
        tags=("holdout", "remove"),
    ),
    Case("IAB + DOOH", chains([*IAB_CORE, *DOOH]), tags=("holdout",)),
    Case("Landscape + portrait DOOH screens", chains(DOOH), tags=("holdout",)),
    Case("16x9", chains(["landing-hero"]), asks=(ASK_16x9,), tags=("holdout", "ask")),
    Case("a banner for the homepage", chains(IAB_CORE), asks=(ASK_BANNER,), tags=("holdout", "ask")),
]

# A second hold-out, written and measured the same way: 16 of 25 passed (2 of the misses were this
# file's expectations; the planner's: kinds after "+", "except", "w/", "JP:", "shirt" read as "short",
# a removal swallowing the reason after it, a bare "portrait" next to an Instagram feed).
HOLDOUT2: list[Case] = [
    Case(
        "Need the standard social pack: IG feed square + portrait, stories, LinkedIn",
        chains(["meta-feed-square", "meta-feed-portrait", "story", "linkedin-single"]),
    ),
    Case("MREC/LB/DMPU for the programmatic buy", chains([MREC, LB, HPU])),
    Case("a vertical for snapchat", chains(["story"]), notes=("didn't understand “snapchat”",)),
    Case(
        "Can I get a 300x250 and a 300x600 w/ the logo",
        chains([MREC, HPU], "brand"),
        params={f"{MREC}:brand": {"use_logo": True}},
    ),
    Case("remove the reflection in the window, DOOH portrait", chains(["dooh-portrait"]), notes=(MASK,)),
    Case(
        "Erase the sticker on the laptop then 1:1 + 4:5",
        chains(["meta-feed-square", "meta-feed-portrait"]),
        notes=(MASK,),
    ),
    Case("YouTube banner + avatar", chains(["youtube-banner"]), notes=("didn't understand “avatar”",)),
    Case("one 16:9 for the homepage and one for YouTube", chains(["landing-hero", "youtube-thumbnail"])),
    Case("twitter/x 16:9", chains(["landing-hero"]), asks=(ASK_16x9,), notes=("the size decides",)),
    Case(
        "leaderboard and mobile leaderboard for UK, FR",
        chains([LB, "iab-mobile-banner"])
        | chains([LB, "iab-mobile-banner"], market="uk")
        | chains([LB, "iab-mobile-banner"], market="fr"),
        notes=("match the base set",),
    ),
    Case(
        "Please clean up any dust and make Meta + TikTok", chains([*META, "tiktok-infeed"], edits=("clean",))
    ),
    Case(
        "get rid of the logo on the shirt, we don't have rights; IG story",
        chains(["story"]),
        notes=(MASK, "didn't understand"),
    ),
    Case("medium rectangle x2", chains(["dv360-medium-rectangle-2x"])),
    Case("Hero 21:9 + hero 16:9", chains(["web-hero-21x9", "landing-hero"])),
    Case("print A4 and bulletin", chains(["print-a4-300dpi", "ooh-bulletin-14x48"])),
    Case("FB + IG + LinkedIn feed", chains([*FEEDS, "linkedin-single"])),
    Case("everything except print", chains([s for s in DEFAULT if s != "print-a4-300dpi"])),
    Case("all sizes for TikTok", chains(["tiktok-infeed"])),
    Case("YT thumbnail 1280x720 + shorts cover", chains(["youtube-thumbnail", "youtube-shorts"])),
    Case(
        "Remove the watermark AND the specks pls, LinkedIn + X",
        chains(["linkedin-single", "x-square", "x-landscape"], edits=("clean",)),
        notes=(MASK,),
    ),
    Case(
        "JP: story + feed with a Tokyo skyline",
        chains(["story", *FEEDS]) | chains(["story", *FEEDS], market="jp", edits=("swap",)),
        engine="diffusion",
    ),
    Case(
        "MREC in DE and FR",
        chains([MREC]) | chains([MREC], market="de") | chains([MREC], market="fr"),
        notes=("match the base set",),
    ),
    Case(
        "a 4:5 with the CTA 'Book now' bottom left",
        chains(["meta-feed-portrait"], "brand"),
        params={"meta-feed-portrait:brand": {"text": "Book now", "position": "bottom-left"}},
    ),
    Case("the usual, harmonised", chains(DEFAULT, "harmonize")),
    Case(
        "a pin and a story for FR",
        chains(["pinterest-pin", "story"]) | chains(["pinterest-pin", "story"], market="fr"),
        notes=("match the base set",),
    ),
]


EXCLUSIONS: list[Case] = [
    Case(
        "everything but the banners",
        chains([s for s in DEFAULT if s not in IAB_CORE]),
        tags=("exclude", "all"),
    ),
    Case(
        "the usual minus OOH and print",
        chains([s for s in DEFAULT if s != "print-a4-300dpi"]),
        tags=("exclude", "all"),
        decision="the exclusion runs on through 'and'; OOH is not in the usual set anyway",
    ),
    Case("Meta set but not the story", chains(FEEDS), tags=("exclude",)),
    Case(
        "skip the DOOH, OOH set",
        chains(["ooh-bulletin-14x48"]),
        tags=("exclude",),
        decision="after a comma the list starts again: only the DOOH screens are skipped",
    ),
    Case("story, not the reels", chains(["story"]), tags=("exclude",)),
    Case(
        "pin the logo top left, story",
        chains(["story"], "brand"),
        params={"story:brand": {"use_logo": True, "position": "top-left"}},
        notes=("no brand kit",),
        tags=("brand",),
        decision="'pin the logo' is a verb, not a Pinterest Pin",
    ),
    Case("full screen story", chains(["story"]), tags=("trade",)),
]

TRADE: list[Case] = [
    *EXCLUSIONS,
    *REMOVALS,
    *EXPLICIT,
    *TRADE_WORDS,
    *ASKED,
    *MULTI,
    *TYPOS_AND_CASE,
    *HOLDOUT,
    *HOLDOUT2,
]
