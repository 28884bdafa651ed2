"""`lectern`: submit exercises to a Lectern server from a terminal or CI (docs/api.md)."""

__version__ = "0.1.0"
