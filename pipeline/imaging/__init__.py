"""Safe image input: every image enters keyart through :func:`load_image` (SVG logos through
:func:`load_svg`), and leaves as 8-bit sRGB with its metadata dropped."""

from pipeline.imaging.colour import srgb_icc_bytes
from pipeline.imaging.load import LoadedImage, load_image
from pipeline.imaging.svg import load_svg

__all__ = ["LoadedImage", "load_image", "load_svg", "srgb_icc_bytes"]
