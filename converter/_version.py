"""The version in one place: pyproject reads it, --version prints it (no importlib.metadata)."""

__version__ = "0.1.0"
