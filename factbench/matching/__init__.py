"""Stage 3, matching: blocking, scoring, pairs of claims that state the same thing, statement groups.

Imports from ingest and claims only.
"""
