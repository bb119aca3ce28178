"""The models feature of the UI."""
