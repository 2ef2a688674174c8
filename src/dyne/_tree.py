"""The segment tree the router walks: static paths in a dict, the rest by path segment.

A request follows one branch of the tree instead of trying every route, so dispatch with
1,000 routes costs about what it costs with 10.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dyne.paths import (
    PARAMETER_PATTERN,
    SEGMENT_REGEX,
    CompiledPath,
    Converter,
    compile_path,
)

__all__ = ["WEBSOCKET", "Tree"]


WEBSOCKET = "WEBSOCKET"  # the "method" under which a WebSocket route is kept in its leaf


@dataclass(slots=True)
class _Leaf:
    """The routes registered for one path pattern, by method."""

    pattern: CompiledPath
    by_method: dict[str, Any] = field(default_factory=dict)


# Backtracking makes a regex with several parameters side by side cost O(n**k) on a
# failing segment ("{a}-{b}-{c}.x" against 4,000 dashes: minutes). Segments of ``str``
# parameters are split in linear time instead; other patterns with several parameters
# in one segment (or after a ``path``) only look at this many characters.
MAX_AMBIGUOUS_LENGTH = 1024

_Splitter = Callable[[str], dict[str, str] | None]


@dataclass(slots=True)
class _Dynamic:
    """A segment holding parameters: matched by ``regex`` (or ``split``, for several
    parameters); ``single`` names the parameter when it fills the whole segment (then no
    group lookup is needed)."""

    regex: re.Pattern[str]
    converters: dict[str, Converter]
    child: _Node
    single: str | None
    split: _Splitter | None = None


def _splitter(segment: str, regex: re.Pattern[str], converters: dict[str, Converter]) -> _Splitter:
    """A function giving a multi-parameter segment's raw values, or None when it does not
    match, with the regex's answer (each parameter as long as the rest allows) and no
    backtracking."""
    # Splitting gives each parameter "any text but a slash"; a converter whose regex says
    # exactly that (str's, or an app's own converter with the same regex) can be split.
    if any(converter.regex != SEGMENT_REGEX for converter in converters.values()):

        def bounded(text: str) -> dict[str, str] | None:
            if len(text) > MAX_AMBIGUOUS_LENGTH:
                return None
            match = regex.match(text)
            return None if match is None else match.groupdict()

        return bounded
    names = list(converters)
    literals = PARAMETER_PATTERN.split(segment)[::3]  # text, name, converter, text, ...
    head, middle, tail = literals[0], literals[1:-1], literals[-1]

    def split(text: str) -> dict[str, str] | None:
        end = len(text) - len(tail)
        if end <= len(head) or not text.startswith(head) or not text.endswith(tail):
            return None
        # From the right, each literal at its last place that leaves every parameter
        # after it non-empty: exactly where the greedy regex would settle.
        starts = [0] * len(middle)
        bound = end
        for i in range(len(middle) - 1, -1, -1):
            if bound <= len(head):
                return None  # no room left for the parameters before this literal
            position = text.rfind(middle[i], 0, bound - 1)
            if position < 0:
                return None
            starts[i] = bound = position
        if bound <= len(head):
            return None
        values: dict[str, str] = {}
        previous = len(head)
        for i, start in enumerate(starts):
            values[names[i]] = text[previous:start]
            previous = start + len(middle[i])
        values[names[-1]] = text[previous:end]
        return values

    return split


@dataclass(slots=True)
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    dynamic: list[_Dynamic] = field(default_factory=list)
    # patterns whose remaining part holds a ``path`` parameter: matched against the rest
    tails: list[tuple[re.Pattern[str], dict[str, Converter], _Leaf, int | None]] = field(
        default_factory=list
    )
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
            segment_compiled = compile_path("/" + segment, compiled.table)
            if any(c.matches_slash for c in segment_compiled.converters.values()):
                rest = compile_path("/" + "/".join(segments[index:]), compiled.table)
                for regex, _, existing, _ in node.tails:
                    if regex.pattern == rest.regex.pattern:
                        return existing
                leaf = _Leaf(compiled)
                limit = MAX_AMBIGUOUS_LENGTH if len(rest.converters) > 1 else None
                node.tails.append((rest.regex, rest.converters, leaf, limit))
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
                converters = segment_compiled.converters
                split = _splitter(segment, regex, converters) if len(names) > 1 else None
                node.dynamic.append(
                    _Dynamic(regex, converters, child, names[0] if whole else None, split)
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
        # At the last segment a child's leaf is read here, not in one more call (the
        # call would only look at the leaf, exactly as below).
        last = index + 1 == len(segments)
        child = node.static.get(segment)
        if child is not None:
            if last:
                leaf = child.leaf
                if leaf is not None:
                    route = leaf.by_method.get(method)
                    if route is not None:
                        return route, params
                    allowed.update(leaf.by_method)
            else:
                found = self._search(child, segments, index + 1, method, params, allowed)
                if found is not None:
                    return found
        for dynamic in node.dynamic:
            split = dynamic.split
            single = dynamic.single
            if split is None:
                match = dynamic.regex.match(segment)
                if match is None:
                    continue
                raw_values = None if single is not None else match.groupdict()
            else:
                raw_values = split(segment)
                if raw_values is None:
                    continue
            try:
                if single is not None:
                    values = {single: dynamic.converters[single].convert(segment)}
                elif raw_values is not None:
                    values = {
                        name: dynamic.converters[name].convert(raw)
                        for name, raw in raw_values.items()
                    }
                else:
                    continue
            except ValueError:
                continue
            if params:
                values = {**params, **values}
            if last:
                leaf = dynamic.child.leaf
                if leaf is not None:
                    route = leaf.by_method.get(method)
                    if route is not None:
                        return route, values
                    allowed.update(leaf.by_method)
                continue
            found = self._search(dynamic.child, segments, index + 1, method, values, allowed)
            if found is not None:
                return found
        if node.tails:
            rest = "/" + "/".join(segments[index:])
            for regex, converters, leaf, limit in node.tails:
                if limit is not None and len(rest) > limit:
                    continue
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
