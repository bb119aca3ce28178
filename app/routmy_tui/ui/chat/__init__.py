"""The chat feature of the UI."""
