"""Repositories: plain functions that take a ``Session`` (SQLModel style)."""
