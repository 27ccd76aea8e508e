"""Content Credentials (C2PA) on every delivered file, with the human decisions on record.

- ``keys`` / ``devca``: the signing chain and key from settings, or a development CA in the data dir;
- ``actions``: the C2PA actions each op run contributes (from its geometry, masks, engine, model);
- ``manifest``: what a manifest says (the master as parent, the actions, the people);
- ``record``: the database side of that record (ancestry, approval log, who briefed);
- ``signer`` / ``sealing``: signing inside the byte cap (``export``);
- ``approval``: a variant approved after delivery gets an approval manifest on top;
- ``reader``: validating files back (``keyart verify``, the audit report, Slack).

Only ``signer`` and ``reader`` load the c2pa library, so importing the ops stays cheap.
"""
