"""Paths, settings and themes."""
