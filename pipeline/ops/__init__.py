"""One module per operation (design §4); importing this package registers them all."""

from pipeline.ops import (  # noqa: F401
    brand,
    clean,
    expand,
    export,
    fit,
    generate,
    harmonize,
    recolor,
    reframe,
    swap,
    upscale,
    variant,
)
