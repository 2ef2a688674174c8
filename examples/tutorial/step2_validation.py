"""Tutorial step 2: pydantic models check what comes in and shape what goes out."""

from pydantic import BaseModel, ConfigDict, Field

import dyne
from dyne.exceptions import abort
from dyne.ext.io.pydantic import input, output

app = dyne.App()
tasks: dict[int, dict] = {}


class TaskIn(BaseModel):
    """What a client sends to add a task."""

    title: str = Field(min_length=1, max_length=200)
    done: bool = False


class TaskUpdate(BaseModel):
    """What a client sends to tick a task off (or not)."""

    done: bool


class TaskOut(BaseModel):
    """A task as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    done: bool


@app.route("/tasks")
@output(TaskOut)
async def list_tasks(req, resp):
    resp.obj = list(tasks.values())


@app.route("/tasks", methods=["POST"])
@input(TaskIn)
@output(TaskOut, status_code=201)
async def create_task(req, resp, *, data):
    task = {"id": len(tasks) + 1, **data}
    tasks[task["id"]] = task
    resp.obj = task


@app.route("/tasks/{id:int}")
@output(TaskOut)
async def get_task(req, resp, *, id):
    if id not in tasks:
        abort(404, f"No task with id {id}.")
    resp.obj = tasks[id]


@app.route("/tasks/{id:int}", methods=["PATCH"])
@input(TaskUpdate)
@output(TaskOut)
async def update_task(req, resp, *, id, data):
    if id not in tasks:
        abort(404, f"No task with id {id}.")
    tasks[id]["done"] = data.done
    resp.obj = tasks[id]


if __name__ == "__main__":
    app.run()
