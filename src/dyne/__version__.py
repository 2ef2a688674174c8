"""The installed version of Dyne."""

__version__ = "0.1.0"
