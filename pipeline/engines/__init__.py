"""Pixel engines: classical (CPU, no model) and diffusion (GPU models)."""
