"""The conversation on screen, owned in one place, with no UI in it."""
