"""The smallest Dyne app: ``python examples/helloworld.py``, then open http://127.0.0.1:5042/."""

import dyne

app = dyne.App()


@app.route("/")
async def hello(req, resp):
    """Greet the world."""
    resp.text = "Hello, world!"


@app.route("/hello/{who}")
async def hello_who(req, resp, *, who):
    """Greet someone by name, as JSON."""
    resp.media = {"hello": who}


if __name__ == "__main__":
    app.run()
