"""Tests for dyne.config: .env discovery, the lookup order, access patterns and casting."""

from __future__ import annotations

import importlib.util
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dyne.config
from dyne.config import Config, ConfigWarning, to_bool

NAMES = (
    "DEBUG",
    "PORT",
    "RATIO",
    "NAME",
    "DATABASE_URL",
    "SECRET_KEY",
    "DYNE_PORT",
    "DYNE_NAME",
    "DYNE_DATABASE_URL",
    "GREETING",
    "EMPTY",
    "TAGS",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty directory with none of the test's keys in the environment."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_env(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a .env-style file and return its path."""
    path.write_text(text, encoding=encoding)
    return path


# Discovery and env_file


def test_discovery_loads_dotenv_from_cwd(isolated: Path) -> None:
    write_env(isolated / ".env", "DATABASE_URL=sqlite:///app.db\n")
    assert Config().get("DATABASE_URL") == "sqlite:///app.db"


def test_discovery_records_the_loaded_file(isolated: Path) -> None:
    write_env(isolated / ".env", "NAME=x\n")
    assert Config().env_file == isolated / ".env"


def test_discovery_without_dotenv_loads_nothing_and_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = Config()
    assert config.env_file is None
    assert "NAME" not in config


def test_discovery_reads_the_file_once_at_construction(isolated: Path) -> None:
    env = write_env(isolated / ".env", "NAME=first\n")
    config = Config()
    env.write_text("NAME=second\n", encoding="utf-8")
    assert config.get("NAME") == "first"


def test_env_file_replaces_discovery(isolated: Path) -> None:
    write_env(isolated / ".env", "NAME=discovered\n")
    explicit = write_env(isolated / ".env.production", "NAME=explicit\n")
    assert Config(env_file=explicit).get("NAME") == "explicit"


def test_env_file_accepts_a_string_path(isolated: Path) -> None:
    write_env(isolated / "settings.env", "NAME=from-string\n")
    assert Config(env_file="settings.env").get("NAME") == "from-string"


def test_env_file_missing_warns_naming_the_file(isolated: Path) -> None:
    with pytest.warns(ConfigWarning, match=r"env_file '.*nope\.env' does not exist"):
        Config(env_file=isolated / "nope.env")


def test_env_file_missing_loads_nothing_from_discovery(isolated: Path) -> None:
    write_env(isolated / ".env", "NAME=discovered\n")
    with pytest.warns(ConfigWarning):
        config = Config(env_file="missing.env")
    assert config.get("NAME") is None


def test_env_file_missing_warning_points_at_the_caller() -> None:
    with pytest.warns(ConfigWarning) as record:
        Config(env_file="missing.env")
    assert record[0].filename == __file__


def test_encoding_is_honoured(isolated: Path) -> None:
    env = write_env(isolated / "latin.env", "NAME=café\n", encoding="latin-1")
    assert Config(env_file=env, encoding="latin-1").get("NAME") == "café"


# Parsing is python-dotenv's


def test_dotenv_parses_quotes(isolated: Path) -> None:
    write_env(isolated / ".env", "NAME=\"hello world\"\nGREETING='single # not a comment'\n")
    config = Config()
    assert (config.NAME, config.GREETING) == ("hello world", "single # not a comment")


def test_dotenv_parses_export_prefix(isolated: Path) -> None:
    write_env(isolated / ".env", "export NAME=exported\n")
    assert Config().get("NAME") == "exported"


def test_dotenv_ignores_comments(isolated: Path) -> None:
    write_env(isolated / ".env", "# a comment\nNAME=value # trailing comment\n")
    assert Config().get("NAME") == "value"


def test_dotenv_parses_multiline_values(isolated: Path) -> None:
    write_env(isolated / ".env", 'NAME="line one\nline two"\n')
    assert Config().get("NAME") == "line one\nline two"


def test_dotenv_bare_key_counts_as_unset(isolated: Path) -> None:
    write_env(isolated / ".env", "EMPTY\n")
    assert "EMPTY" not in Config()


def test_dotenv_empty_value_is_an_empty_string(isolated: Path) -> None:
    write_env(isolated / ".env", "EMPTY=\n")
    assert Config().get("EMPTY", default="fallback") == ""


# Resolution order


def test_hierarchy_environment_beats_dotenv(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_env(isolated / ".env", "NAME=file\n")
    monkeypatch.setenv("NAME", "environment")
    assert Config().get("NAME") == "environment"


def test_hierarchy_dotenv_beats_objects(isolated: Path) -> None:
    write_env(isolated / ".env", "NAME=file\n")
    config = Config()
    config.from_object(types.SimpleNamespace(NAME="object"))
    assert config.get("NAME") == "file"


def test_hierarchy_objects_beat_the_default() -> None:
    config = Config()
    config.from_object(types.SimpleNamespace(NAME="object"))
    assert config.get("NAME", default="default") == "object"


def test_hierarchy_default_when_no_tier_has_the_key() -> None:
    assert Config().get("NAME", default="default") == "default"


def test_hierarchy_environment_is_read_live(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    monkeypatch.setenv("NAME", "set-later")
    assert config.get("NAME") == "set-later"


# env_prefix


def test_prefix_reads_prefixed_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNE_PORT", "9000")
    assert Config(env_prefix="DYNE_").get("PORT") == "9000"


def test_prefix_ignores_unprefixed_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9000")
    assert Config(env_prefix="DYNE_").get("PORT") is None


def test_prefix_reads_prefixed_dotenv_key(isolated: Path) -> None:
    write_env(isolated / ".env", "DYNE_NAME=prefixed\nNAME=plain\n")
    assert Config(env_prefix="DYNE_").get("NAME") == "prefixed"


def test_prefix_does_not_apply_to_objects() -> None:
    config = Config(env_prefix="DYNE_")
    config.from_object(types.SimpleNamespace(NAME="as-written"))
    assert config.get("NAME") == "as-written"


def test_prefix_is_exposed() -> None:
    assert Config(env_prefix="DYNE_").env_prefix == "DYNE_"


# from_object and set


class DevelopmentConfig:
    """The tour's example settings class."""

    PORT = 5042
    DEBUG = True
    lower = "ignored"
    Mixed = "ignored"
    _PRIVATE = "ignored"


def test_from_object_reads_uppercase_class_attributes() -> None:
    config = Config()
    config.from_object(DevelopmentConfig)
    assert (config.PORT, config.DEBUG) == (5042, True)


@pytest.mark.parametrize("name", ["lower", "Mixed", "_PRIVATE"])
def test_from_object_ignores_other_attributes(name: str) -> None:
    config = Config()
    config.from_object(DevelopmentConfig)
    assert name not in config


def test_from_object_reads_a_module() -> None:
    module = types.ModuleType("settings")
    module.GREETING = "hi"  # type: ignore[attr-defined]
    config = Config()
    config.from_object(module)
    assert config.GREETING == "hi"


def test_from_object_later_call_overrides_earlier() -> None:
    config = Config()
    config.from_object(DevelopmentConfig)
    config.from_object(types.SimpleNamespace(PORT=6000))
    assert config.PORT == 6000


def test_from_object_rejects_a_string() -> None:
    with pytest.raises(TypeError, match=r"got the string 'myapp\.Settings'; import"):
        Config().from_object("myapp.Settings")


def test_from_object_rejects_a_mapping() -> None:
    with pytest.raises(TypeError, match=r"got a mapping; pass a class or module"):
        Config().from_object({"PORT": 1})


def test_set_places_value_in_objects_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    config.set("NAME", "code")
    monkeypatch.setenv("NAME", "environment")
    assert config.get("NAME") == "environment"


def test_set_overrides_from_object() -> None:
    config = Config()
    config.from_object(DevelopmentConfig)
    config.set("PORT", 7000)
    assert config.PORT == 7000


def test_setitem_is_set() -> None:
    config = Config()
    config["NAME"] = "item"
    assert config.get("NAME") == "item"


# Access patterns


def test_get_missing_returns_none() -> None:
    assert Config().get("DATABASE_URL") is None


def test_require_returns_present_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://db")
    assert Config().require("DATABASE_URL") == "postgresql://db"


def test_require_missing_raises_runtime_error() -> None:
    with pytest.raises(RuntimeError) as excinfo:
        Config().require("DATABASE_URL")
    assert str(excinfo.value) == "Missing required config: DATABASE_URL"


def test_require_missing_with_prefix_names_the_prefixed_variable() -> None:
    with pytest.raises(RuntimeError, match=r"^Missing required config: DATABASE_URL \(set DYNE_"):
        Config(env_prefix="DYNE_").require("DATABASE_URL")


def test_require_casts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    assert Config().require("PORT", cast=int) == 8080


def test_attribute_returns_raw_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "false")
    assert Config().DEBUG == "false"


def test_attribute_missing_raises_with_tour_message() -> None:
    with pytest.raises(AttributeError) as excinfo:
        _ = Config().DATABSE_URL
    assert str(excinfo.value) == "Config has no attribute 'DATABSE_URL'"


def test_attribute_private_names_are_never_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_SECRET_THING", "x")
    with pytest.raises(AttributeError):
        _ = Config()._SECRET_THING


def test_attribute_getattr_with_default_works() -> None:
    assert getattr(Config(), "NAME", "fallback") == "fallback"


def test_attribute_assignment_is_refused() -> None:
    config = Config()
    with pytest.raises(AttributeError, match=r"use config\.set\('NAME', value\)"):
        config.NAME = "x"


def test_item_returns_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAME", "item")
    assert Config()["NAME"] == "item"


def test_item_missing_raises_key_error() -> None:
    with pytest.raises(KeyError, match="NAME"):
        Config()["NAME"]


def test_contains_is_true_for_present_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAME", "x")
    assert "NAME" in Config()


def test_contains_is_false_for_missing_key() -> None:
    assert "NAME" not in Config()


def test_contains_is_false_for_non_string() -> None:
    assert 1 not in Config()


def test_repr_hides_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "hunter2")
    text = repr(Config(env_prefix="APP_"))
    assert "hunter2" not in text
    assert "env_prefix='APP_'" in text


# Casting


@pytest.mark.parametrize("raw", ["true", "TRUE", "1", "yes", "Yes", "on", "ON", " true "])
def test_cast_bool_true_words(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", raw)
    assert Config().get("DEBUG", cast=bool) is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "NO", "off", "Off"])
def test_cast_bool_false_words(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", raw)
    assert Config().get("DEBUG", cast=bool) is False


@pytest.mark.parametrize("raw", ["maybe", "", "2", "truthy"])
def test_cast_bool_rejects_other_words_naming_key_and_value(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", raw)
    with pytest.raises(ValueError, match=rf"DEBUG={raw!r} is not a boolean; use one of true"):
        Config().get("DEBUG", cast=bool)


def test_cast_int(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    assert Config().get("PORT", cast=int) == 8080


def test_cast_float(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATIO", "0.25")
    assert Config().get("RATIO", cast=float) == 0.25


def test_cast_any_callable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGS", "a, b ,c")
    tags = Config().get("TAGS", cast=lambda raw: [part.strip() for part in raw.split(",")])
    assert tags == ["a", "b", "c"]


def test_cast_int_failure_names_key_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ValueError, match=r"PORT='eighty' cannot be converted with int"):
        Config().get("PORT", cast=int)


def test_cast_failure_names_the_prefixed_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNE_PORT", "eighty")
    with pytest.raises(ValueError, match=r"^Config value DYNE_PORT='eighty'"):
        Config(env_prefix="DYNE_").get("PORT", cast=int)


def test_cast_applies_to_dotenv_values(isolated: Path) -> None:
    write_env(isolated / ".env", "DEBUG=on\n")
    assert Config().get("DEBUG", cast=bool) is True


def test_cast_applies_to_object_values() -> None:
    config = Config()
    config.from_object(types.SimpleNamespace(PORT="5042"))
    assert config.get("PORT", cast=int) == 5042


def test_cast_bool_accepts_real_booleans_from_objects() -> None:
    config = Config()
    config.from_object(DevelopmentConfig)
    assert config.get("DEBUG", cast=bool) is True


def test_cast_applies_to_the_default() -> None:
    assert Config().get("PORT", cast=int, default="8000") == 8000


def test_cast_skips_a_none_default() -> None:
    assert Config().get("PORT", cast=int) is None


def test_cast_in_require_failure_names_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ValueError, match=r"DEBUG='perhaps'"):
        Config().require("DEBUG", cast=bool)


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), (1, True), (0, False)]
)
def test_to_bool_accepts_booleans_and_zero_one(value: object, expected: bool) -> None:
    assert to_bool(value) is expected


def test_to_bool_rejects_other_integers() -> None:
    with pytest.raises(ValueError, match=r"^2 is not a boolean"):
        to_bool(2)


def test_module_all_is_sorted() -> None:
    assert dyne.config.__all__ == sorted(dyne.config.__all__)


# examples/config_app.py

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "config_app.py"


@pytest.fixture
def example_app() -> Iterator[Any]:
    """A fresh import of examples/config_app.py (its module state is per test)."""
    spec = importlib.util.spec_from_file_location("config_app_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.app.client
    yield module.app
    client.close()


def test_example_config_status_in_debug_mode(example_app: Any) -> None:
    response = example_app.client.get("/status")
    assert response.json() == {"status": "debug-mode", "db": "sqlite:///config_app.db"}


def test_example_config_environment_overrides_code(
    example_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", "off")
    assert example_app.client.get("/status").json() == {"status": "production"}


def test_example_config_env_file_beats_from_object(example_app: Any) -> None:
    assert example_app.client.get("/greeting").text == "Hello from config_app.env"


def test_example_config_environment_beats_env_file(
    monkeypatch: pytest.MonkeyPatch, example_app: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://prod")
    assert example_app.client.get("/status").json()["db"] == "postgresql://prod"
