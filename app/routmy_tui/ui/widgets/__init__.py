"""The widgets feature of the UI."""
