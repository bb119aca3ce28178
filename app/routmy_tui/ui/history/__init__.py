"""The history feature of the UI."""
