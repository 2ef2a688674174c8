"""The shared role rule: top-level entries OR, nested lists AND."""

from __future__ import annotations

import pytest

from dyne.ext.auth._roles import compile_roles, describe_roles, roles_allow, user_roles


def test_roles_none_requirement_allows_anyone():
    assert roles_allow(compile_roles(None), None)


def test_roles_string_requirement_needs_that_role():
    rule = compile_roles("admin")
    assert roles_allow(rule, ["user", "admin"])
    assert not roles_allow(rule, "user")


def test_roles_top_level_entries_are_alternatives():
    rule = compile_roles(["admin", "editor"])
    assert roles_allow(rule, "editor")
    assert not roles_allow(rule, ["reviewer"])


def test_roles_nested_list_needs_all_of_its_roles():
    rule = compile_roles(["admin", ["editor", "reviewer"]])
    assert roles_allow(rule, ["editor", "reviewer"])
    assert not roles_allow(rule, ["editor"])
    assert roles_allow(rule, "admin")


def test_roles_user_without_roles_is_refused():
    assert not roles_allow(compile_roles("user"), None)


def test_roles_user_roles_accepts_a_name_or_an_iterable():
    assert user_roles("a") == {"a"}
    assert user_roles({"a", "b"}) == {"a", "b"}
    assert user_roles(None) == frozenset()


def test_roles_user_roles_rejects_a_number():
    with pytest.raises(TypeError, match="get_user_roles returned 3"):
        user_roles(3)


@pytest.mark.parametrize("bad", [3, [3], [[]], [], "", {"admin": True}])
def test_roles_invalid_requirement_fails_at_registration(bad):
    with pytest.raises((TypeError, ValueError), match="role"):
        compile_roles(bad)


@pytest.mark.parametrize(
    ("role", "text"),
    [
        ("admin", "admin"),
        (["admin", "editor"], "admin or editor"),
        ([["admin", "super_user"]], "admin and super_user"),
        (["admin", ["editor", "reviewer"]], "admin or (editor and reviewer)"),
    ],
)
def test_roles_describe_in_the_order_written(role, text):
    assert describe_roles(role) == text


def test_roles_describe_refuses_what_compile_refuses():
    with pytest.raises(TypeError):
        describe_roles(["admin", 3])
