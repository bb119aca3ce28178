"""Compare: one prompt to several models at once, their replies side by side."""
