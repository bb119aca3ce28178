"""The settings feature of the UI."""
