"""Tutorial step 1: an app with a few routes, keeping its tasks in a dict."""

import dyne
from dyne.exceptions import abort

app = dyne.App()
tasks: dict[int, dict] = {}


@app.route("/")
async def home(req, resp):
    resp.text = "Tasks: see /tasks"


@app.route("/tasks")
async def list_tasks(req, resp):
    resp.media = list(tasks.values())


@app.route("/tasks", methods=["POST"])
async def create_task(req, resp):
    data = await req.media()
    task = {"id": len(tasks) + 1, "title": data["title"], "done": False}
    tasks[task["id"]] = task
    resp.media = task
    resp.status_code = 201


@app.route("/tasks/{id:int}")
async def get_task(req, resp, *, id):
    if id not in tasks:
        abort(404, f"No task with id {id}.")
    resp.media = tasks[id]


if __name__ == "__main__":
    app.run()
