"""Property tests for routing: url_for round-trips and path converters that cannot escape."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dyne
from dyne.paths import compile_path
from dyne.routing import RouteError

# Text as it may come from users: separators, dots, percent signs, backslashes, unicode.
_CHARS = st.sampled_from(list("ab.z/\\%?#&=+ ~:;@é\x00\u2028-_"))
_VALUES = st.text(_CHARS, max_size=12)


@pytest.fixture(scope="module")
def routed():
    app = dyne.App(static_dir=None)

    @app.route("/users/{name}")
    def user(req, resp, *, name):
        resp.media = {"value": name}

    @app.route("/files/{name:path}")
    def serve(req, resp, *, name):
        resp.media = {"value": name}

    @app.route("/n/{n:int}")
    def number(req, resp, *, n):
        resp.media = {"value": n}

    @app.route("/f/{x:float}")
    def real(req, resp, *, x):
        resp.media = {"value": x}

    yield app
    app.client.close()


@settings(max_examples=60)
@given(value=_VALUES, view=st.sampled_from(["user", "serve"]))
def test_url_for_refuses_or_round_trips_text(routed, value, view):
    try:
        url = routed.url_for(view, name=value)
    except RouteError:
        return
    assert routed.client.get(url).json() == {"value": value}


@settings(max_examples=30)
@given(value=st.integers(min_value=0, max_value=10**30))
def test_url_for_round_trips_int(routed, value):
    assert routed.client.get(routed.url_for("number", n=value)).json() == {"value": value}


@settings(max_examples=30)
@given(value=st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False))
def test_url_for_round_trips_float(routed, value):
    assert routed.client.get(routed.url_for("real", x=value)).json() == {"value": value}


@settings(max_examples=80)
@given(segments=st.lists(_VALUES, min_size=1, max_size=4))
def test_path_parameter_never_leaves_its_directory(routed, segments):
    raw = "/".join(segments)
    response = routed.client.get("/files/" + quote(raw, safe="/"))
    if response.status_code == 404:
        return
    value = response.json()["value"]
    joined = posixpath.normpath(posixpath.join("/base", value.replace("\\", "/")))
    assert joined.startswith("/base/")
    assert "\x00" not in value


@settings(max_examples=80)
@given(value=_VALUES.filter(bool))
def test_str_parameter_is_one_safe_segment(routed, value):
    response = routed.client.get("/users/" + quote(value, safe=""))
    if response.status_code == 404:
        return
    name = response.json()["value"]
    assert name == value
    assert "/" not in name
    assert not {".", ".."} & set(name.split("\\"))


@settings(max_examples=60)
@given(literal=st.text(st.sampled_from(list("abc-._~{}:")), max_size=10))
def test_compile_path_accepts_or_raises_route_error(literal):
    try:
        compiled = compile_path("/" + literal)
    except RouteError:
        return
    if not compiled.converters:
        assert compiled.regex.fullmatch("/" + literal)


_SEGMENT_PATTERNS = ["/s/{a}-{b}.{c}", "/t/{a}{b}", "/u/x{a}-{b}y", "/v/{a}--{b}-{c}"]


@pytest.fixture(scope="module")
def segmented():
    app = dyne.App(static_dir=None)
    for index, pattern in enumerate(_SEGMENT_PATTERNS):

        def view(req, resp, **params):
            resp.media = params

        app.add_route(pattern, view, name=f"segment{index}")
    yield app
    app.client.close()


@settings(max_examples=150)
@given(
    pattern=st.sampled_from(_SEGMENT_PATTERNS),
    segment=st.text(st.sampled_from(list("ab-.xy")), min_size=1, max_size=14),
)
def test_multi_parameter_segment_splits_like_the_regex(segmented, pattern, segment):
    path = pattern[:3] + segment
    match = compile_path(pattern).regex.fullmatch(path)
    response = segmented.client.get(pattern[:3] + quote(segment, safe=""))
    if match is None or {".", ".."} & set(match.groupdict().values()):
        assert response.status_code == 404
    else:
        assert response.json() == match.groupdict()
