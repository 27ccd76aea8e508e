"""Interfaces: the CLI and the Slack app. Thin: they call pipeline service functions."""
