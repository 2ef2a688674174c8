"""Configuration: an env file, Python objects, casting, required keys and config in routes.

Run it from this folder with ``dyne --app config_app run`` (or ``python config_app.py``) and open
http://127.0.0.1:5042/status: both serve on the ``PORT`` set below (``PORT=8080 dyne --app
config_app run`` moves it). Try ``DEBUG=false dyne --app config_app run`` to see the
environment override the value set in code.
"""

from pathlib import Path

from dyne import App


class DevelopmentConfig:
    """Defaults seeded from code; the env file and the environment both override them."""

    PORT = 5042
    DEBUG = True
    GREETING = "Hello from DevelopmentConfig"
    not_a_setting = "lower-case attributes are ignored"


# Without env_file=, App() would load ./.env from the working directory if there is one.
app = App(env_file=Path(__file__).with_name("config_app.env"))
app.config.from_object(DevelopmentConfig)

# Fails at start-up, not on the first request, when the database URL is missing.
DATABASE_URL = app.config.require("DATABASE_URL")


@app.route("/status")
async def status(req, resp):
    """Report the mode; the database URL is shown only in debug mode."""
    config = req.app.config
    if config.get("DEBUG", cast=bool):
        resp.media = {"status": "debug-mode", "db": config.DATABASE_URL}
    else:
        resp.media = {"status": "production"}


@app.route("/greeting")
async def greeting(req, resp):
    """Show a value from the env file, which beats the one from DevelopmentConfig."""
    resp.text = req.app.config.GREETING


if __name__ == "__main__":
    app.run()  # PORT from the config (5042 here) decides the port
