"""Everything a GraphQL document goes through before it may run.

In order, each cheaper than the next: its length, a lexer pass (token count and bracket
nesting, so that the recursive parser never meets a hostile document), parsing, the size
of the document with every fragment expanded where it is spread (depth, aliases and cost,
computed from per-fragment totals so that the work stays linear in the document however
large the expansion, and fragment cycles refused), the specification's validation rules
(plus the introspection switch), picking the operation, and coercing the variables. Any
failure is a :class:`Rejected` carrying the status to answer; nothing has executed yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLFormattedError,
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
from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule

from dyne.ext.graphql._limits import QueryLimits, Rejected
from dyne.ext.graphql._schema import JSONObject

__all__ = ["Checked", "check"]

_OPENING = frozenset({TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L})
_CLOSING = frozenset({TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R})

# graphql-core 3.3 runs this recommended rule as part of the specified ones; 3.2 may not:
# it stops introspection queries whose nested lists (fields, interfaces, ...) explode.
_RULES = (*specified_rules,) + (
    () if MaxIntrospectionDepthRule in specified_rules else (MaxIntrospectionDepthRule,)
)

# graphql-core ends a message with " Did you mean 'x', 'y', or 'z'?" (field, argument,
# type, enum value and input field names): with introspection off that would let a client
# list the schema by guessing, so it is cut off.
_SUGGESTION = re.compile(r" Did you mean .*\?\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Checked:
    """A document that passed every check, with its operation and coerced variables."""

    document: DocumentNode
    operation: OperationType


def check(
    schema: GraphQLSchema,
    query: str,
    variables: JSONObject | None,
    operation_name: str | None,
    limits: QueryLimits,
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
    measure(document, limits)
    rules = list(_RULES)
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    errors = validate(schema, document, rules)
    if errors:
        raise Rejected(_formatted(errors, limits))
    operation = _operation(document, operation_name)
    try:
        # graphql-core 3.3 leaves variable_definitions None when there are none.
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    except RecursionError:
        raise Rejected.message(
            "The variables are nested too deeply; send flatter variables."
        ) from None
    if isinstance(coerced, list):
        raise Rejected(_formatted(coerced, limits))
    return Checked(document, operation.operation)


def _formatted(errors: list[GraphQLError], limits: QueryLimits) -> list[GraphQLFormattedError]:
    """The errors as sent to the client: without schema suggestions when introspection is off."""
    formatted = [error.formatted for error in errors]
    if limits.introspection:
        return formatted
    for error in formatted:
        error["message"] = _SUGGESTION.sub("", error["message"])
    return formatted


def _scan(query: str, limits: QueryLimits) -> None:
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


# -- the expanded size ----------------------------------------------------------------


@dataclass(slots=True)
class Size:
    """The size of an operation or fragment with every fragment it spreads expanded.

    ``cost`` counts fields and directives, ``aliases`` aliased fields, and ``depth`` the
    deepest field nesting (fields named ``__*`` and all below them, introspection, have
    their own rule and are left out of the depth only).
    """

    cost: int = 0
    aliases: int = 0
    depth: int = 0


@dataclass(slots=True)
class _Local:
    """One definition's own size, and the fragments it spreads with the depth of each spread.

    A spread's depth is None below an introspection field, where depth is not counted.
    """

    size: Size
    spreads: list[tuple[str, int | None]] = field(default_factory=list)


def measure(document: DocumentNode, limits: QueryLimits) -> Size:
    """The expanded size of the whole document, or :class:`Rejected` past a limit.

    Every operation counts, selected or not (the validation rules read them all), and
    every fragment is resolved once from the totals of those it spreads, in linear time
    however large the expansion; a fragment that spreads itself, directly or not, is
    refused. A fragment whose own expansion is already over the cost or alias limit is
    refused without looking further.
    """
    fragments: dict[str, _Local] = {}
    operations: list[_Local] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = _local(definition)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(_local(definition))
    totals = _fragment_totals(fragments, limits)
    whole = Size()
    for operation in operations:
        size = _expand(operation, totals)
        whole.cost += size.cost
        whole.aliases += size.aliases
        whole.depth = max(whole.depth, size.depth)
    _check_size(whole, limits, "The query")
    return whole


def _local(definition: OperationDefinitionNode | FragmentDefinitionNode) -> _Local:
    """Walk one definition's selections (iteratively: nesting cannot exhaust the stack)."""
    local = _Local(Size(cost=len(definition.directives or ())))
    size = local.size
    stack: list[tuple[SelectionSetNode, int | None]] = [(definition.selection_set, 0)]
    while stack:
        selection_set, depth = stack.pop()
        for selection in selection_set.selections:
            size.cost += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                size.cost += 1
                if selection.alias is not None:
                    size.aliases += 1
                inner = depth
                if depth is not None:
                    if selection.name.value.startswith("__"):
                        inner = None
                    else:
                        inner = depth + 1
                        size.depth = max(size.depth, inner)
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, inner))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth))
            elif isinstance(selection, FragmentSpreadNode):
                local.spreads.append((selection.name.value, depth))
    return local


def _expand(local: _Local, totals: dict[str, Size]) -> Size:
    """``local`` with the totals of the fragments it spreads added in (unknown ones: 0,
    the validation rules report them)."""
    own = local.size
    size = Size(own.cost, own.aliases, own.depth)
    for name, depth in local.spreads:
        total = totals.get(name)
        if total is None:
            continue
        size.cost += total.cost
        size.aliases += total.aliases
        if depth is not None:
            size.depth = max(size.depth, depth + total.depth)
    return size


def _fragment_totals(fragments: dict[str, _Local], limits: QueryLimits) -> dict[str, Size]:
    """Each fragment's expanded size, children first (depth-first, no recursion)."""
    totals: dict[str, Size] = {}
    for root in fragments:
        if root in totals:
            continue
        path = [root]
        on_path = {root}
        pending = [iter(fragments[root].spreads)]
        while pending:
            for name, _ in pending[-1]:
                if name in totals or name not in fragments:
                    continue
                if name in on_path:
                    cycle = [*path[path.index(name) :], name]
                    raise Rejected.message(
                        f"Fragment {name!r} spreads itself ({' -> '.join(cycle)}); "
                        "a fragment cannot include itself, so remove the cycle."
                    )
                path.append(name)
                on_path.add(name)
                pending.append(iter(fragments[name].spreads))
                break
            else:
                pending.pop()
                name = path.pop()
                on_path.discard(name)
                totals[name] = total = _expand(fragments[name], totals)
                _check_size(total, limits, f"Fragment {name!r}", depth=False)
    return totals


def _check_size(size: Size, limits: QueryLimits, subject: str, *, depth: bool = True) -> None:
    if limits.max_cost is not None and size.cost > limits.max_cost:
        raise Rejected.message(
            f"{subject} has {size.cost} fields and directives (a fragment counts each time "
            f"it is spread), more than the maximum cost of {limits.max_cost}; "
            "ask for fewer fields."
        )
    if limits.max_aliases is not None and size.aliases > limits.max_aliases:
        raise Rejected.message(
            f"{subject} uses {size.aliases} aliases (a fragment counts each time it is "
            f"spread), more than the maximum of {limits.max_aliases}; use fewer aliases."
        )
    if depth and limits.max_depth is not None and size.depth > limits.max_depth:
        raise Rejected.message(_too_deep(limits.max_depth, size.depth))


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
