"""The tools feature: the tools editor, approving command-backed tools, palette commands."""
