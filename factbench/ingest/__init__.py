"""Stage 1, ingest: reading files and tables, encodings, text clean-up, the spaCy pipeline and the parse cache.

Imports nothing from the later stages (claims, matching, findings, review, storage).
"""
