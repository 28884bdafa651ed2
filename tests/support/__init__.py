"""Helpers the test modules share: waiting for another process or thread,
and logged-in browser clients. Fixtures that several packages use are in
tests/conftest.py."""
