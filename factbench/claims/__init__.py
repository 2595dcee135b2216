"""Stage 2, claims: sentences → claims (check-worthiness, values such as dates, numbers and durations,
attribution), and :func:`factbench.load`, which runs ingest and this stage.

Imports from ingest only.
"""
