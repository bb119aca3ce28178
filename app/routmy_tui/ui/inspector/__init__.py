"""The inspector feature of the UI."""
