"""Everything a GraphQL document goes through before it may run.

In order, each cheaper than the next: its length, a lexer pass (token count and bracket
nesting, so that the recursive parser never meets a hostile document), parsing, field
depth and alias count, the specification's validation rules (plus the introspection
switch), picking the operation, and coercing the variables. Any failure is a
:class:`Rejected` carrying the status to answer; nothing has executed yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import Lexer
from graphql.validation import NoSchemaIntrospectionCustomRule

__all__ = ["Checked", "Limits", "Rejected", "check"]

_OPENING = frozenset({TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L})
_CLOSING = frozenset({TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R})


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on a document; ``None`` switches one off."""

    max_depth: int | None = 15
    max_aliases: int | None = 50
    max_tokens: int | None = 1000
    max_length: int | None = 100_000
    introspection: bool = True

    def __post_init__(self) -> None:
        for name in ("max_depth", "max_aliases", "max_tokens", "max_length"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise ValueError(
                    f"GraphQLView({name}={value!r}) must be a non-negative integer or None."
                )


class Rejected(Exception):
    """A document that must not run; ``errors`` are GraphQL error dicts."""

    def __init__(self, errors: list[Mapping[str, Any]], status_code: int = 400) -> None:
        super().__init__(errors[0]["message"] if errors else "rejected")
        self.errors = errors
        self.status_code = status_code

    @classmethod
    def message(cls, text: str, status_code: int = 400) -> Rejected:
        """A rejection with one plain message."""
        return cls([{"message": text}], status_code)


@dataclass(frozen=True, slots=True)
class Checked:
    """A document that passed every check, with its operation and coerced variables."""

    document: DocumentNode
    operation: OperationType


def check(
    schema: GraphQLSchema,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    limits: Limits,
) -> Checked:
    """Run every check on ``query`` and return it parsed, or raise :class:`Rejected`."""
    if limits.max_length is not None and len(query) > limits.max_length:
        raise Rejected.message(
            f"The query is {len(query)} characters long, more than the maximum of "
            f"{limits.max_length}; send a shorter query."
        )
    _scan(query, limits)
    try:
        document = parse(Source(query))
    except GraphQLError as exc:
        raise Rejected([exc.formatted]) from None
    except RecursionError:
        raise Rejected.message("The query is nested too deeply to be parsed.") from None
    _check_shape(document, limits)
    rules = list(specified_rules)
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    errors = validate(schema, document, rules)
    if errors:
        raise Rejected([error.formatted for error in errors])
    operation = _operation(document, operation_name)
    coerced = get_variable_values(schema, operation.variable_definitions, variables or {})
    if isinstance(coerced, list):
        raise Rejected([error.formatted for error in coerced])
    return Checked(document, operation.operation)


def _scan(query: str, limits: Limits) -> None:
    """Count tokens and bracket nesting with the lexer alone (no recursion)."""
    max_tokens = limits.max_tokens
    # Bracket nesting bounds the parser's recursion; a field level costs one brace, and
    # arguments and input objects may add a few more.
    max_nesting = 2 * limits.max_depth + 16 if limits.max_depth is not None else None
    lexer = Lexer(Source(query))
    tokens = nesting = 0
    try:
        while True:
            kind = lexer.advance().kind
            if kind is TokenKind.EOF:
                return
            tokens += 1
            if max_tokens is not None and tokens > max_tokens:
                raise Rejected.message(
                    f"The query has more than {max_tokens} tokens, the maximum; "
                    "send a smaller query."
                )
            if kind in _OPENING:
                nesting += 1
                if max_nesting is not None and nesting > max_nesting:
                    raise Rejected.message(_too_deep(limits.max_depth))
            elif kind in _CLOSING:
                nesting -= 1
    except GraphQLError as exc:
        raise Rejected([exc.formatted]) from None


def _too_deep(max_depth: int | None, depth: int | None = None) -> str:
    found = f"{depth} levels deep" if depth is not None else "nested too deeply"
    return (
        f"The query is {found}, more than the maximum depth of {max_depth}; "
        "ask for fewer nested fields."
    )


def _check_shape(document: DocumentNode, limits: Limits) -> None:
    """Field depth (through fragments) and the number of aliases."""
    if limits.max_aliases is not None:
        aliases = _count_aliases(document)
        if aliases > limits.max_aliases:
            raise Rejected.message(
                f"The query uses {aliases} aliases, more than the maximum of "
                f"{limits.max_aliases}; use fewer aliases."
            )
    if limits.max_depth is None:
        return
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    memo: dict[str, int] = {}
    try:
        for node in document.definitions:
            if isinstance(node, OperationDefinitionNode):
                depth = _depth(node.selection_set, fragments, memo, set())
                if depth > limits.max_depth:
                    raise Rejected.message(_too_deep(limits.max_depth, depth))
    except RecursionError:
        raise Rejected.message(_too_deep(limits.max_depth)) from None


def _count_aliases(document: DocumentNode) -> int:
    count = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.alias is not None:
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def _depth(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: set[str],
) -> int:
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection has its own switch; its depth is fixed and safe
            inner = selection.selection_set
            depth = 1 + (_depth(inner, fragments, memo, visiting) if inner else 0)
        elif isinstance(selection, InlineFragmentNode):
            depth = _depth(selection.selection_set, fragments, memo, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visiting:
                continue  # unknown or cyclic: the validation rules report it
            if name not in memo:
                visiting.add(name)
                memo[name] = _depth(fragment.selection_set, fragments, memo, visiting)
                visiting.discard(name)
            depth = memo[name]
        else:
            continue
        deepest = max(deepest, depth)
    return deepest


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) == 1:
            return operations[0]
        raise Rejected.message(
            "The document has several operations; name the one to run in operationName."
        )
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise Rejected.message(f"The document has no operation named {name!r}; check operationName.")
