"""The segment tree the router walks: static paths in a dict, the rest by path segment.

A request follows one branch of the tree instead of trying every route, so dispatch with
1,000 routes costs about what it costs with 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dyne.paths import CONVERTERS, PARAMETER_PATTERN, CompiledPath, Converter, compile_path

__all__ = ["WEBSOCKET", "Tree"]


WEBSOCKET = "WEBSOCKET"  # the "method" under which a WebSocket route is kept in its leaf


@dataclass(slots=True)
class _Leaf:
    """The routes registered for one path pattern, by method."""

    pattern: CompiledPath
    by_method: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Dynamic:
    """A segment holding parameters: matched by ``regex``; ``single`` names the parameter
    when it fills the whole segment (then no group lookup is needed)."""

    regex: re.Pattern[str]
    converters: dict[str, Converter]
    child: _Node
    single: str | None


@dataclass(slots=True)
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    dynamic: list[_Dynamic] = field(default_factory=list)
    # patterns whose remaining part holds a ``path`` parameter: matched against the rest
    tails: list[tuple[re.Pattern[str], dict[str, Converter], _Leaf]] = field(default_factory=list)
    leaf: _Leaf | None = None


class Tree:
    """Routes arranged by path segment: static paths in one dict, the others in a tree."""

    def __init__(self) -> None:
        self.static: dict[str, _Leaf] = {}
        self.root = _Node()

    def leaf_for(self, compiled: CompiledPath) -> _Leaf:
        if compiled.is_static:
            leaf = self.static.get(compiled.pattern)
            if leaf is None:
                leaf = self.static[compiled.pattern] = _Leaf(compiled)
            return leaf
        node = self.root
        segments = compiled.pattern.split("/")[1:]
        for index, segment in enumerate(segments):
            if "{" not in segment:
                node = node.static.setdefault(segment, _Node())
                continue
            segment_compiled = compile_path("/" + segment)
            if any(c is CONVERTERS["path"] for c in segment_compiled.converters.values()):
                rest = compile_path("/" + "/".join(segments[index:]))
                for regex, _, existing in node.tails:
                    if regex.pattern == rest.regex.pattern:
                        return existing
                leaf = _Leaf(compiled)
                node.tails.append((rest.regex, rest.converters, leaf))
                return leaf
            regex = re.compile(segment_compiled.regex.pattern.replace("^/", "^", 1))
            for dynamic in node.dynamic:
                if dynamic.regex.pattern == regex.pattern:
                    node = dynamic.child
                    break
            else:
                names = list(segment_compiled.converters)
                whole = len(names) == 1 and PARAMETER_PATTERN.fullmatch(segment) is not None
                child = _Node()
                node.dynamic.append(
                    _Dynamic(regex, segment_compiled.converters, child, names[0] if whole else None)
                )
                node = child
        if node.leaf is None:
            node.leaf = _Leaf(compiled)
        return node.leaf

    def search(
        self, path: str, method: str, allowed: set[str]
    ) -> tuple[Any, dict[str, Any]] | None:
        """The first route for ``method`` whose pattern matches ``path`` (static patterns
        before parameters); the methods of patterns that match the path are added to
        ``allowed``."""
        leaf = self.static.get(path)
        if leaf is not None:
            route = leaf.by_method.get(method)
            if route is not None:
                return route, {}
            allowed.update(leaf.by_method)
        if not path.startswith("/"):
            return None
        return self._search(self.root, path.split("/")[1:], 0, method, {}, allowed)

    def _search(
        self,
        node: _Node,
        segments: list[str],
        index: int,
        method: str,
        params: dict[str, Any],
        allowed: set[str],
    ) -> tuple[Any, dict[str, Any]] | None:
        if index == len(segments):
            leaf = node.leaf
            if leaf is not None:
                route = leaf.by_method.get(method)
                if route is not None:
                    return route, params
                allowed.update(leaf.by_method)
            return None
        segment = segments[index]
        child = node.static.get(segment)
        if child is not None:
            found = self._search(child, segments, index + 1, method, params, allowed)
            if found is not None:
                return found
        for dynamic in node.dynamic:
            match = dynamic.regex.match(segment)
            if match is None:
                continue
            try:
                if dynamic.single is not None:
                    values = {dynamic.single: dynamic.converters[dynamic.single].convert(segment)}
                else:
                    values = {
                        name: dynamic.converters[name].convert(raw)
                        for name, raw in match.groupdict().items()
                    }
            except ValueError:
                continue
            found = self._search(
                dynamic.child, segments, index + 1, method, {**params, **values}, allowed
            )
            if found is not None:
                return found
        if node.tails:
            rest = "/" + "/".join(segments[index:])
            for regex, converters, leaf in node.tails:
                match = regex.match(rest)
                if match is None:
                    continue
                try:
                    values = {
                        name: converters[name].convert(raw)
                        for name, raw in match.groupdict().items()
                    }
                except ValueError:
                    continue
                route = leaf.by_method.get(method)
                if route is not None:
                    return route, {**params, **values}
                allowed.update(leaf.by_method)
        return None
