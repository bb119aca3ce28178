"""routmy-tui: a terminal client for rout.my and OpenAI-compatible chat APIs."""

__version__ = "0.1.0"
