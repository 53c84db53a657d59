"""ThemeSystem Studio: author, preview and ship web themes."""

__version__ = "0.1.0"
