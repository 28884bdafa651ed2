"""A small notes API, built as a real project: one package, one job per module."""
