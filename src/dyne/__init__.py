"""Dyne: an async Python web framework with batteries included."""

from dyne.__version__ import __version__
from dyne.app import App
from dyne.blueprints import Blueprint
from dyne.exceptions import HTTPException, abort
from dyne.problems import Problem
from dyne.request import Request
from dyne.response import Response

__all__ = [
    "App",
    "Blueprint",
    "HTTPException",
    "Problem",
    "Request",
    "Response",
    "__version__",
    "abort",
]
