"""Storage layer: settings, tables, repositories, content-addressed blobs, migrations.

Nothing here imports from ``pipeline`` or ``bot`` (dependency rule: bot → pipeline → storage).
"""
