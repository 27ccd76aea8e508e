"""Commands listeners."""
