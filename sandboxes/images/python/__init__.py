"""Package marker: the host imports the harness's lectern_protocol.py (sandboxes/protocol.py)."""
