"""The classical engine: pure numpy/OpenCV/Pillow functions with explicit seeds."""
