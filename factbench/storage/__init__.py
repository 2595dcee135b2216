"""Beside review: the append-only verdict store, exports, safe CSV writing and agreement statistics.

The only place (besides the parse cache in ingest) that imports sqlite3. Never imports review.
"""
