"""Stage 4, findings: what deserves a reviewer's eye: discrepancies between statements of one fact, hints.

Imports from ingest, claims and matching only.
"""
