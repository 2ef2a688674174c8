"""Tutorial step 4: anyone may read the tasks; only a client with the API token may change them."""

import hmac

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

import dyne
from dyne.exceptions import abort
from dyne.ext.auth import TokenAuth, authenticate
from dyne.ext.db.alchemical import Alchemical, CRUDMixin, Model
from dyne.ext.io.pydantic import input, output


class Settings:
    """Defaults; the environment or a .env file override them."""

    ALCHEMICAL_DATABASE_URL = "sqlite:///tasks.db"


app = dyne.App()
app.config.from_object(Settings)
db = Alchemical(app)
API_TOKEN = app.config.require("API_TOKEN")
token_auth = TokenAuth()


@token_auth.verify_token
async def verify_token(token):
    # compare_digest takes as long for a near miss as for a far one.
    if hmac.compare_digest(token.encode(), API_TOKEN.encode()):
        return "api-client"
    return None


class Task(CRUDMixin, Model):
    """A task in the database."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(default=False)


class TaskIn(BaseModel):
    """What a client sends to add a task."""

    title: str = Field(min_length=1, max_length=200)
    done: bool = False


class TaskUpdate(BaseModel):
    """What a client sends to tick a task off (or not)."""

    done: bool


class TaskOut(BaseModel):
    """A task as the API shows it, read from the ORM object."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    done: bool


@app.on_event("startup")
async def create_tables():
    await db.create_all()


@app.route("/tasks")
@output(TaskOut)
async def list_tasks(req, resp):
    session = await req.db
    resp.obj = (await session.scalars(Task.select().order_by(Task.id))).all()


@app.route("/tasks", methods=["POST"])
@authenticate(token_auth)
@input(TaskIn)
@output(TaskOut, status_code=201)
@db.transaction
async def create_task(req, resp, *, data):
    resp.obj = await Task.create(**data)


@app.route("/tasks/{id:int}")
@output(TaskOut)
async def get_task(req, resp, *, id):
    await req.db
    task = await Task.get(id)
    if task is None:
        abort(404, f"No task with id {id}.")
    resp.obj = task


@app.route("/tasks/{id:int}", methods=["PATCH"])
@authenticate(token_auth)
@input(TaskUpdate)
@output(TaskOut)
@db.transaction
async def update_task(req, resp, *, id, data):
    task = await Task.get(id)
    if task is None:
        abort(404, f"No task with id {id}.")
    resp.obj = await task.patch(done=data.done)


if __name__ == "__main__":
    app.run()
