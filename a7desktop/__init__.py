"""a7desktop: the credential manager for the Agent700 API."""

__version__ = "0.1.0"
