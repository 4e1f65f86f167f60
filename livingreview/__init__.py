"""A static-site generator for living scoping reviews."""

__version__ = "0.1.0"
