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
# Phrases that name one spec (besides the catalogue names themselves).
SPEC_ALIASES = _table("""
story: stories | insta story | ig story | instagram story
meta-reels: reel | reels
iab-leaderboard: leaderboard
iab-super-leaderboard: super leaderboard
iab-wide-skyscraper: skyscraper | wide skyscraper
iab-half-page: half page | half-page | halfpage
iab-medium-rectangle: medium rectangle | mrec | mpu
iab-large-rectangle: large rectangle
iab-mobile-banner: mobile banner
iab-large-mobile-banner: large mobile banner
iab-billboard: billboard
landing-hero: landing page | landing-page | landing hero | landing page hero | lp | lp hero
youtube-thumbnail: thumbnail | thumb | youtube thumbnail | yt thumbnail
tiktok-infeed: in-feed | infeed
print-a4-300dpi: a4 | print a4
ooh-bulletin-14x48: bulletin
linkedin-square: linkedin square
""")
# Words that name a catalogue group (a platform or a family of placements).
GROUP_ALIASES = _table("""
meta: meta
facebook: facebook | fb
instagram: instagram | insta | ig
tiktok: tiktok | tik tok
linkedin: linkedin
youtube: youtube | yt
x: x
twitter: twitter
iab: iab | banner | banners
display: display
google: google | gdn
dv360: dv360
ooh: ooh | outdoor | out of home | out-of-home
print: print
web: web | website
hero: hero | heroes | heros
social: social | socials
feed: feed | feeds
vertical: vertical
video: video
""")
# Aspect words: a ratio, or an orientation.
SHAPE_WORDS = _table("""
1:1: square
16:9: widescreen
21:9: ultrawide | ultra-wide | cinematic
portrait: portrait
landscape: landscape | horizontal
""")
# "all"/"full": the whole default set, or with a platform every spec of it ("all the IAB sizes").
ALL_WORDS = _words("all everything every full whole entire complete")
# "the usual set": the default set alone, a platform's core set with a platform.
USUAL_WORDS = _words("usual standard default regular normal core")

# Shared edits and per-variant steps.
CLEAN_OBJECTS = _words(
    "speck specks speckles dust dusty spots artifacts artefacts scratches debris dirt blemishes hairs"
)
CLEAN_WORDS = _words("clean cleanup clean-up despeckle despeck declutter")
REMOVE_VERBS = _words("remove erase delete fix kill zap rid get take out")
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
sure ok okay great main key art master visual approval review feedback
""")
# Real words that sit close to a keyword: never "correct" them.
NOT_TYPOS = _words(
    "clear metal linked sports stores feds here makes dusky prints printer metro storey stop "
    "clan brandy bands sale sales cleaner larger"
)
