"""Jinja2 templates: render files from a directory, or template text, sync or async."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import jinja2

__all__ = ["Templates"]

_HTML_EXTENSIONS = ("html", "htm", "xml", "xhtml", "svg", "jinja", "j2", "jinja2")


class Templates:
    """Renders Jinja2 templates from ``directory``.

    :param directory: where template files live (read on first use, never created).
    :param autoescape: escape values in HTML/XML templates and in template strings.
    :param context: values every template can use (updated per render by the keywords).
    :param enable_async: build an async environment, for templates that await.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] = "templates",
        autoescape: bool = True,
        context: Mapping[str, Any] | None = None,
        enable_async: bool = False,
    ) -> None:
        self.directory = directory
        self.autoescape = autoescape
        self.enable_async = enable_async
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(os.fspath(directory)),
            autoescape=jinja2.select_autoescape(_HTML_EXTENSIONS) if autoescape else False,
            enable_async=enable_async,
        )
        self._string_env = jinja2.Environment(autoescape=autoescape, enable_async=enable_async)
        # One dict for both, so ``templates.context[...] = ...`` reaches strings and files.
        self._string_env.globals = self._env.globals
        if context:
            self._env.globals.update(context)

    @property
    def context(self) -> dict[str, Any]:
        """The values every template sees (Jinja's globals); mutable."""
        return self._env.globals

    @property
    def environment(self) -> jinja2.Environment:
        """The Jinja2 environment for template files (add filters and tests here)."""
        return self._env

    def _context(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        context: dict[str, Any] = {}
        for arg in args:
            context.update(arg)
        context.update(kwargs)
        return context

    def get_template(self, name: str, /) -> jinja2.Template:
        """The template file ``name`` (``jinja2.TemplateNotFound`` when it doesn't exist)."""
        return self._env.get_template(name)

    def render(self, name: str, /, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render the template file ``name`` with the given mappings and keywords."""
        return self.get_template(name).render(self._context(args, kwargs))

    async def render_async(self, name: str, /, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render the template file ``name`` without blocking the event loop on async calls.

        Needs ``enable_async=True`` for templates that await; otherwise it renders as
        :meth:`render` does.
        """
        template = self.get_template(name)
        context = self._context(args, kwargs)
        if self.enable_async:
            return await template.render_async(context)
        return template.render(context)

    def render_string(self, source: str, /, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render the template text ``source`` with the given mappings and keywords."""
        template = self._string_env.from_string(source)
        return template.render(self._context(args, kwargs))

    async def render_string_async(
        self, source: str, /, *args: Mapping[str, Any], **kwargs: Any
    ) -> str:
        """Render the template text ``source``; see :meth:`render_async`."""
        template = self._string_env.from_string(source)
        context = self._context(args, kwargs)
        if self.enable_async:
            return await template.render_async(context)
        return template.render(context)
