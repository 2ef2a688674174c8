"""The GraphQL tests' schema written with Strawberry (see conftest.py for Graphene's)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from dyne.ext.graphql.strawberry import Schema


@strawberry.type
class MessageResponse:
    ok: bool
    message: str


@strawberry.type
class Node:
    value: int

    @strawberry.field
    def child(self, info: strawberry.Info) -> Node:
        info.context["request"].app.state.calls.append("child")
        return Node(value=self.value + 1)


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, info: strawberry.Info, name: str = "stranger") -> str:
        info.context["request"].app.state.calls.append("hello")
        return f"Hello {name}"

    @strawberry.field
    def whoami(self, info: strawberry.Info) -> str:
        info.context["response"].set_cookie("seen", "yes")
        info.context["response"].headers["X-Resolver"] = "ran"
        return info.context["request"].headers.get("x-user", "nobody")

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return "later"

    @strawberry.field
    def node(self) -> Node:
        return Node(value=1)

    @strawberry.field
    def boom(self) -> str | None:
        raise ValueError("boom")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_message(self, info: strawberry.Info, name: str, message: str) -> MessageResponse:
        info.context["request"].app.state.calls.append("create_message")
        return MessageResponse(ok=True, message=f"Message from {name}: {message}")


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, info: strawberry.Info) -> AsyncGenerator[int, None]:
        info.context["request"].app.state.calls.append("ticks")
        yield 1


def schema() -> Schema:
    """A fresh Dyne Strawberry schema."""
    return Schema(query=Query, mutation=Mutation, subscription=Subscription)
