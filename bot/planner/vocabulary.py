"""The words the rule planner understands, as plain tables (lowercase; phrases are space-joined).

Channel words resolve against the catalogue in ``pipeline.specs`` (groups, ratios, pixel sizes), so
a spec added there is reachable by its name, its groups and its size without touching this file.
"""

from __future__ import annotations

from pipeline.specs import SPECS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _table(text: str) -> dict[str, str]:
    """``value: phrase | phrase`` lines → {phrase: value}."""
    table: dict[str, str] = {}
    for line in text.strip().splitlines():
        value, _, phrases = line.partition(": ")  # ": " so values may hold colons (ratios)
        table.update({phrase.strip(): value.strip() for phrase in phrases.split("|")})
    return table


SPEC_NAMES = frozenset(spec.name for spec in SPECS)
# Phrases that name one spec (besides the catalogue names themselves), in the trade's words.
SPEC_ALIASES = _table("""
story: stories | insta story | ig story | instagram story | insta stories | ig stories | fb story
meta-reels: reel | reels | ig reel | ig reels | insta reel | instagram reel | instagram reels | fb reel
iab-leaderboard: leaderboard | leader board | lb | ldb | leaderboards
iab-super-leaderboard: super leaderboard | super lb
iab-wide-skyscraper: skyscraper | wide skyscraper | sky | wide sky | skyscrapers
iab-half-page: half page | half-page | halfpage | hpu | double mpu | dmpu | half pager
iab-medium-rectangle: medium rectangle | mrec | mpu | med rec | med rect | med rectangle | medium rec
iab-medium-rectangle: medrec | mrecs | mpus | medium rect
iab-large-rectangle: large rectangle
iab-mobile-banner: mobile banner | mobile leaderboard | mobile lb | mob banner
iab-large-mobile-banner: large mobile banner
landing-hero: landing page | landing-page | landing hero | landing page hero | lp | lp hero | homepage hero
youtube-thumbnail: thumbnail | thumb | youtube thumbnail | yt thumbnail | yt thumb | thumbnails
youtube-banner: channel art | channel banner | yt banner | youtube banner | youtube masthead | yt masthead
youtube-shorts: shorts | youtube short | yt short | youtube shorts | yt shorts
tiktok-infeed: in-feed | infeed | tiktok feed | tiktok in-feed | tt infeed
print-a4-300dpi: a4 | print a4 | a4 print
ooh-bulletin-14x48: bulletin | 48-sheet bulletin
dooh-landscape: digital billboard | digital screen landscape | dooh landscape | landscape screen
dooh-portrait: digital poster | dooh portrait | portrait screen | digital 6-sheet | d6
pinterest-pin: pin | pins | pinterest pin | standard pin | pinterest pins
linkedin-square: linkedin square | li square
linkedin-single: linkedin single | li single | linkedin single image | linkedin landscape
""")
# Words that name a catalogue group: a platform, or a kind of placement.
GROUP_ALIASES = _table("""
meta: meta
facebook: facebook | fb
instagram: instagram | insta | ig
tiktok: tiktok | tik tok | tt
linkedin: linkedin | li
youtube: youtube | yt
x: x
twitter: twitter
iab: iab | banner | banners
display: display | programmatic
google: google | gdn
dv360: dv360
ooh: ooh | outdoor | out of home | out-of-home
dooh: dooh | digital out-of-home | digital out of home | digital ooh | d-ooh | digital outdoor
dooh: digital screen | digital screens | digital signage | dooh screen | dooh screens
print: print
pinterest: pinterest
web: web | website | site | online | homepage
hero: hero | heroes | heros
social: social | socials
feed: feed | feeds
vertical: vertical | verticals
video: video
masthead: masthead | mastheads
""")
# Platforms (proper names) name a family on their own; the other groups are kinds of placement that
# narrow a platform ("Instagram feed") and stand for their group only when nothing else is named.
PLATFORM_GROUPS = _words(
    "meta facebook instagram tiktok linkedin youtube x twitter iab google dv360 ooh dooh print pinterest"
)
# Context words: where a deliverable runs, never a family of their own next to another channel word
# ("a banner for the website" is one banner, not the web heroes as well).
CONTEXT_GROUPS = _words("web display")
# Aspect words: a ratio (read like one written out), or an orientation that only narrows.
SHAPE_WORDS = _table("""
1:1: square | sq
16:9: widescreen
21:9: ultrawide | ultra-wide | cinematic
portrait: portrait | tall
landscape: landscape | horizontal
wide: wide
""")
# Resolution words that are sizes.
SIZE_WORDS = _table("""
1920x1080: 1080p | full-hd | fhd
1280x720: 720p
3840x2160: 4k | uhd | 2160p
""")
# Pixel density: the 2× upload of a unit (DV360 wants 600×500 for a 300×250).
DOUBLE_WORDS = _words("2x @2x retina hi-dpi hidpi high-dpi x2 double-density")
# Nouns that several specs answer to. With no size, the plan is made with the first reading and the
# person is asked (Slack buttons) or shown the others (CLI); the readings are in bot/planner/resolve.py.
AMBIGUOUS_NOUNS = {
    "banner": ("banner",),  # "banners" is the IAB set
    "billboard": ("billboard", "billboards"),
    "masthead": ("masthead", "mastheads"),
    "hero": ("hero",),  # "heroes" are both
}
# Family markers: an item that holds one is a set, not one deliverable ("the banner set", "banners").
SET_WORDS = _words("set sets sizes suite pack package kit family range formats units lineup")
# "all"/"full": the whole default set, or with a platform every spec of it ("all the IAB sizes").
ALL_WORDS = _words("all everything every full whole entire complete")
# "the usual set": the default set alone, a platform's core set with a platform.
USUAL_WORDS = _words("usual standard default regular normal core")

# Shared edits and per-variant steps.
CLEAN_OBJECTS = _words(
    "speck specks speckles dust dusty spots artifacts artefacts scratches debris dirt blemishes hairs"
)
CLEAN_WORDS = _words("clean cleanup clean-up despeckle despeck declutter")
REMOVE_VERBS = _words(
    "remove erase delete fix kill zap rid get take out wipe ditch lose eliminate retouch paint clone off"
)
SWAP_WORDS = _words("swap swapped replace replaced change changed set switch put new make turn use")
BACKGROUND_WORDS = _words("background backdrop bg sky scene setting backgrounds")
RECOLOR_WORDS = _words("recolor recolour recolored recoloured tint repaint recolouring recoloring")
HARMONIZE_WORDS = _words("harmonize harmonise harmonized harmonised harmonization harmonisation")
MATCH_OBJECTS = _words("colour colours color colors levels tones grade look master balance white exposure")
UPSCALE_WORDS = _words(
    "upscale upscaled upscaling up-scale upres up-res upsample enlarge enlarged "
    "super-resolution hi-res high-res hires"
)
EXPAND_WORDS = _words(
    "expand expanded outpaint outpainting outpainted extend extended widen wider taller "
    "pad padded padding uncrop"
)
CROP_WORDS = _words("crop cropped cropping crop-only reframe reframed recrop re-frame")
# Re-rendering the master at a spec's size (img2img at low strength; diffusion engine only).
RERENDER_WORDS = _words(
    "re-render rerender re-rendered rerendered re-rendering rerendering re-renders "
    "rerenders img2img image-to-image low-strength"
)
REGENERATE_WORDS = _words("regenerate regenerated regenerating re-generate re-generated")
SUBTLE_WORDS = _words("subtle subtler gentle slight light low-strength")
NEGATIONS = _words("no not don't dont never without avoid skip")
# "everything except print", "the usual minus OOH", "no print": channels to leave out.
EXCLUDE_WORDS = _words("except excluding exclude minus without skip no not but")
BRAND_WORDS = _words(
    "brand branding branded unbranded logo logos cta ctas copy tagline headline endline "
    "strapline call-to-action button"
)
TEXT_WORDS = _words("cta copy tagline headline endline strapline text saying reading call-to-action button")
FORMAT_WORDS = {"png": "png", "webp": "webp", "jpeg": "jpeg", "jpg": "jpeg"}
EXPORT_WORDS = _words("export exported deliver delivered encode quality")
POSITIONS = ("bottom-left", "bottom-right", "bottom-center", "top-left", "top-right", "top-center")
# The source image, when named as the object of an edit ("upscale the hero for print").
SOURCE_OBJECTS = _words("hero master image photo picture artwork art visual shot it this key keyart kv")

# Markets: word → the suffix of its variants. Codes that are also English words need capitals.
MARKETS = _table("""
jp: jp | japan | japanese
uk: uk | gb | britain | british
de: de | germany | german
fr: fr | france | french
us: us | usa | american
es: es | spain | spanish
it: it | italy | italian
nl: nl | dutch | netherlands
se: se | sweden | swedish
cn: cn | china | chinese
kr: kr | korea | korean
br: br | brazil | brazilian
mx: mx | mexico | mexican
in: in | india | indian
au: au | australia | australian
ca: ca | canada | canadian
pl: pl | poland | polish
pt: pt | portugal | portuguese
sg: sg | singapore
ae: ae | uae
""")
CAPITALS_ONLY = _words("us it in es se ca pt de au")
MARKET_MARKERS = _words(
    "version versions edition editions market markets cut cuts localisation localization "
    "localised localized adaptation"
)

# Named colours people use in requests (curated: "snow" or "tomato" are more likely scenes).
COLOURS = _table("""
#FFFFFF: white
#000000: black
#808080: grey | gray
#D3D3D3: light grey | light gray
#404040: dark grey | dark gray
#FF0000: red
#8B0000: dark red
#008000: green
#006400: dark green
#90EE90: light green
#0000FF: blue
#ADD8E6: light blue
#87CEEB: sky blue
#000080: navy
#00008B: dark blue
#FFFF00: yellow
#FFA500: orange
#800080: purple
#EE82EE: violet
#FFC0CB: pink
#FF00FF: magenta
#00FFFF: cyan
#008080: teal
#40E0D0: turquoise
#A52A2A: brown
#F5F5DC: beige
#FFFDD0: cream
#FFFFF0: ivory
#FFD700: gold
#C0C0C0: silver
#00FF00: lime
#800000: maroon
#808000: olive
#FF7F50: coral
#E6E6FA: lavender
""")
COLOUR_FILLER = _words(
    "a an the plain solid flat pure clean colour color background backdrop studio seamless"
)

# Words that carry no request on their own (politeness, generic verbs, plurals of "thing").
FILLER = _words("""
a an the and or plus also too as well please pls plz thanks thank thx you can could would will we i me our
my your need want like get give make makes create produce render do build prepare send go ahead let let's
lets some of for to in on at with from into by set sets size sizes format formats variant variants version
versions asset assets deliverable deliverables image images creative creatives ad ads placement placements
unit units channel channels spec specs file files them it this that these those just now asap quickly
today hey hi hello keyart bot both each one new same then so up more ones cheers ta kindly but add include
place fit fitted resize resized adapt cut run generate done etc via over its their there here use using
sure ok okay great main key art master visual approval review feedback u ur ty fyi btw hiya yo mate guys
buy flight booking inventory media network deck round batch lot cover covers screen screens
""")
# Real words that sit close to a keyword: never "correct" them.
NOT_TYPOS = _words(
    "clear metal linked sports stores feds here makes dusky prints printer metro storey stop "
    "clan brandy bands sale sales cleaner larger"
)
