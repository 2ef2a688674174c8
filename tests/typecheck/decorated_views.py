"""Type-checked (never run) by tests/test_typing_decorators.py: every decorator keeps the
decorated view's signature for editors and type checkers.

Each ``reveal_type`` is compared, in order, with the signature the test expects;
``@input``, ``@output``, ``@authenticate`` and ``login_required`` make a view async, so
their result is the same parameters returning a coroutine.
"""

from __future__ import annotations

from typing import reveal_type

from pydantic import BaseModel

import dyne
from dyne import Request, Response
from dyne.ext.auth import BasicAuth, LoginManager, authenticate
from dyne.ext.db.alchemical import Alchemical
from dyne.ext.io.pydantic import expect, input, output, webhook

app = dyne.App()
basic = BasicAuth()
login = LoginManager(app)
db = Alchemical()


class Item(BaseModel):
    name: str


@app.route("/plain")
async def plain(req: Request, resp: Response, *, slug: str) -> None: ...


reveal_type(plain)


@app.error_handler(404)
async def not_found(req: Request, resp: Response, exc: Exception) -> None: ...


reveal_type(not_found)


@authenticate(basic)
def guarded(req: Request, resp: Response, *, item_id: int) -> None: ...


reveal_type(guarded)


@login.login_required
def members(req: Request, resp: Response, *, page: int) -> None: ...


reveal_type(members)


@login.login_required(role="admin")
def admins(req: Request, resp: Response, *, page: int) -> None: ...


reveal_type(admins)


@input(Item)
async def create(req: Request, resp: Response, *, data: Item) -> None: ...


reveal_type(create)


@output(Item, status_code=201)
async def show(req: Request, resp: Response, *, item_id: int) -> None: ...


reveal_type(show)


@expect({404: "Not found."})
async def find(req: Request, resp: Response, *, item_id: int) -> None: ...


reveal_type(find)


@webhook
async def hook(req: Request, resp: Response) -> None: ...


reveal_type(hook)


@webhook(name="named")
async def named_hook(req: Request, resp: Response) -> None: ...


reveal_type(named_hook)


@db.transaction
async def save(req: Request, resp: Response, *, count: int) -> str:
    return "saved"


reveal_type(save)
