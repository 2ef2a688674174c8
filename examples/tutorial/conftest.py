"""Settings for the tutorial's tests, made before the app module is imported.

The environment wins over every other configuration source, so the tests choose their
own token and database: a fresh SQLite file, unless ALCHEMICAL_DATABASE_URL is already
set (to run the same tests on PostgreSQL).
"""

import os
import tempfile

os.environ["API_TOKEN"] = "test-token"
if "ALCHEMICAL_DATABASE_URL" not in os.environ:
    database = os.path.join(tempfile.mkdtemp(), "tasks.db")
    os.environ["ALCHEMICAL_DATABASE_URL"] = f"sqlite:///{database}"
