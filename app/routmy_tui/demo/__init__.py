"""The built-in demo backend: the rout.my API served on 127.0.0.1."""
