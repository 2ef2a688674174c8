"""HTTP Digest authentication (RFC 7616): qop=auth, MD5 or SHA-256, stateless nonces."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from dyne.ext.auth.stateless.backends import _nonces
from dyne.ext.auth.stateless.backends.base import (
    ANONYMOUS,
    AuthBackend,
    AuthFailed,
    as_utf8,
    callback,
    check_realm,
    quoted,
    split_authorization,
)
from dyne.extension import derive_key
from dyne.request import Request

__all__ = ["DigestAuth"]

logger = logging.getLogger("dyne.ext.auth")

_ALGORITHMS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
_PARAM = re.compile(
    r"""\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,"]*)\s*(?:,|$)"""
)
_REQUIRED = ("realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
_NC = re.compile(r"[0-9a-fA-F]{8}")


class DigestAuth(AuthBackend):
    """Challenge-response authentication: the password never crosses the wire.

    Register ``[async] def get_password(username)`` returning the password, its HA1
    (``H(username:realm:password)`` in hex, with this backend's algorithm), or None
    (any falsy value, an empty password included, refuses). The authenticated user is
    the username.

    Nonces are stateless: an HMAC keyed by the app's ``secret_key`` (or ``SECRET_KEY``
    config), so every worker sharing the key accepts them. Without a key, a random
    per-process key is used and nonces only verify in the process that issued them.

    :param realm: the protection space, part of every HA1.
    :param algorithm: ``"MD5"`` (what most clients speak) or ``"SHA-256"``.
    :param use_ha1_pw: True: ``get_password`` returns HA1; False: the plain password;
        None (default): accept either.
    :param nonce_max_age: seconds a nonce stays fresh; older ones answer ``stale=true``.
    :param replay_window: how many recent ``(nonce, cnonce, nc)`` uses are remembered to
        refuse replays (per process; see :meth:`verify_nonce_count` for shared storage).
        A use is never forgotten before its nonce is stale: while the window is full, new
        requests get a 401 with ``stale=true`` instead.
    :param replay_store: remember uses in shared storage instead, so a replay is refused
        on every worker: an object with ``async first_use(key, ttl) -> bool`` (True the
        first time ``key`` is seen in ``ttl`` seconds), e.g.
        ``dyne.ext.redis.RedisReplayStore(url)``. It must raise, never return True, when
        it cannot check (the Redis store answers 503).
    """

    security_scheme_name = "digestAuth"
    security_scheme = {"type": "http", "scheme": "digest"}

    def __init__(
        self,
        realm: str = "Authentication Required",
        algorithm: str = "MD5",
        *,
        use_ha1_pw: bool | None = None,
        nonce_max_age: float = 300,
        replay_window: int = 65536,
        replay_store: Any = None,
    ) -> None:
        super().__init__()
        self.realm = check_realm(realm)
        self.algorithm = algorithm.upper()
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"Unsupported Digest algorithm {algorithm!r}; use 'MD5' or 'SHA-256'.")
        self._hash = _ALGORITHMS[self.algorithm]
        self._hex_length = self._hash().digest_size * 2
        self.use_ha1_pw = use_ha1_pw
        self.nonce_max_age = nonce_max_age
        # A nonce from a worker whose clock runs ahead stays fresh CLOCK_SKEW s longer.
        self._window = _nonces.NonceCountWindow(
            ttl=nonce_max_age + _nonces.CLOCK_SKEW, max_entries=replay_window
        )
        self._window_full_logged = False
        if replay_store is not None and not callable(getattr(replay_store, "first_use", None)):
            raise TypeError(
                f"replay_store must have an async first_use(key, ttl) method, and "
                f"{replay_store!r} has none; use e.g. dyne.ext.redis.RedisReplayStore(url)."
            )
        self.replay_store = replay_store
        self._get_password: Callable[..., Any] | None = None
        self._generate_nonce: Callable[..., Any] | None = None
        self._verify_nonce: Callable[..., Any] | None = None
        self._generate_opaque: Callable[..., Any] | None = None
        self._verify_opaque: Callable[..., Any] | None = None
        self._verify_nonce_count: Callable[..., Any] | None = None

    # -- callbacks ---------------------------------------------------------------------

    def get_password(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def get_password(username)`` → password, HA1, or None."""
        self._get_password = callback(func)
        return func

    def generate_nonce(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Replace the stateless nonces: ``[async] def gen(request) -> str``."""
        self._generate_nonce = callback(func)
        return func

    def verify_nonce(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Check nonces made by ``generate_nonce``: ``[async] def ver(request, nonce) -> bool``."""
        self._verify_nonce = callback(func)
        return func

    def generate_opaque(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Replace the default opaque: ``[async] def gen(request) -> str``."""
        self._generate_opaque = callback(func)
        return func

    def verify_opaque(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Check the opaque echoed back: ``[async] def ver(request, opaque) -> bool``."""
        self._verify_opaque = callback(func)
        return func

    def verify_nonce_count(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Replace the in-memory replay window (e.g. with shared storage).

        ``[async] def first_use(request, nonce, cnonce, nc) -> bool`` records the use and
        returns True the first time, False for a replay. It is called only for requests
        whose digest is otherwise correct.
        """
        self._verify_nonce_count = callback(func)
        return func

    # -- protocol ----------------------------------------------------------------------

    def matches(self, req: Request) -> bool:
        """Whether the request carries Digest credentials."""
        parts = split_authorization(req)
        return parts is not None and parts[0].lower() == "digest"

    def _key(self, req: Request) -> bytes:
        # With no secret key, a per-process key: nonces then verify only in this process.
        return derive_key(req.app, _nonces.key_purpose(self.realm))

    def _check_hooks(self) -> None:
        if (self._generate_nonce is None) != (self._verify_nonce is None):
            raise RuntimeError(
                "DigestAuth needs both generate_nonce and verify_nonce, or neither; "
                "register the missing one."
            )
        if (self._generate_opaque is None) != (self._verify_opaque is None):
            raise RuntimeError(
                "DigestAuth needs both generate_opaque and verify_opaque, or neither; "
                "register the missing one."
            )

    async def challenge(self, req: Request, *, stale: bool = False) -> str:
        """``Digest realm=..., qop="auth", algorithm=..., nonce=..., opaque=...``."""
        self._check_hooks()
        key = self._key(req)
        if self._generate_nonce is not None:
            nonce = str(await self._generate_nonce(req))
        else:
            nonce = _nonces.make_nonce(key)
        if self._generate_opaque is not None:
            opaque = str(await self._generate_opaque(req))
        else:
            opaque = _nonces.opaque(key)
        value = (
            f'Digest realm="{quoted(self.realm)}", qop="auth", algorithm={self.algorithm}, '
            f'nonce="{quoted(nonce)}", opaque="{quoted(opaque)}"'
        )
        return value + ", stale=true" if stale else value

    async def authenticate(self, req: Request) -> Any:
        """Return the username, ANONYMOUS without Digest credentials; raise AuthFailed."""
        if self._get_password is None:
            raise RuntimeError(
                "DigestAuth has no get_password callback; register one with "
                "@digest_auth.get_password."
            )
        self._check_hooks()
        parts = split_authorization(req)
        if parts is None or parts[0].lower() != "digest":
            return ANONYMOUS
        fields = _parse_params(parts[1])
        username = _username(fields)
        if any(name not in fields for name in _REQUIRED):
            raise AuthFailed()
        realm, nonce, uri = as_utf8(fields["realm"]), fields["nonce"], fields["uri"]
        nc, cnonce, qop = fields["nc"], fields["cnonce"], fields["qop"]
        response = fields["response"].lower()
        if (
            realm != self.realm
            or qop != "auth"
            or not _NC.fullmatch(nc)
            or not cnonce
            or fields.get("algorithm", "MD5").upper() != self.algorithm
            or len(response) != self._hex_length
        ):
            raise AuthFailed()
        if not _same_target(req, uri):
            raise AuthFailed(400)  # RFC 7616 §3.4.6: a mismatched uri is a bad request
        key = self._key(req)
        if self._verify_nonce is not None:
            state = "fresh" if await self._verify_nonce(req, nonce) else "invalid"
        else:
            state = _nonces.check_nonce(key, nonce, self.nonce_max_age)
        if state == "invalid" or not await self._opaque_ok(req, key, fields.get("opaque")):
            raise AuthFailed()

        stored = await self._get_password(username)
        if not self._response_ok(username, stored, req.method, fields, response):
            raise AuthFailed()
        if state == "stale":
            raise AuthFailed(stale=True)
        await self._first_use(req, nonce, cnonce, nc.lower())
        return username

    async def _opaque_ok(self, req: Request, key: bytes, opaque: str | None) -> bool:
        if opaque is None:
            return False
        if self._verify_opaque is not None:
            return bool(await self._verify_opaque(req, opaque))
        return hmac.compare_digest(_nonces.opaque(key).encode(), opaque.encode("latin-1"))

    async def _first_use(self, req: Request, nonce: str, cnonce: str, nc: str) -> None:
        """Raise AuthFailed unless this is the triple's first use."""
        if self._verify_nonce_count is not None:
            if not await self._verify_nonce_count(req, nonce, cnonce, nc):
                raise AuthFailed()
            return
        if self.replay_store is not None:
            # Each part is length-prefixed so no two triples share a key.
            key = "".join(f"{len(part)}:{part}" for part in (nonce, cnonce, nc))
            if await self.replay_store.first_use(key, self._window.ttl) is not True:
                raise AuthFailed()
            return
        state = self._window.record(nonce, cnonce, nc)
        if state == "replay":
            raise AuthFailed()
        if state == "full":
            # Fail closed: forgetting a live triple would let a captured request be replayed.
            if not self._window_full_logged:
                self._window_full_logged = True
                logger.warning(
                    "The Digest replay window of %s is full (%d uses in the last %s s), so "
                    "new requests are refused until entries expire; raise replay_window or "
                    "register @verify_nonce_count with shared storage.",
                    self.realm,
                    self._window.max_entries,
                    self.nonce_max_age,
                )
            raise AuthFailed(stale=True)
        self._window_full_logged = False

    def _h(self, data: bytes) -> bytes:
        return self._hash(data).hexdigest().encode("ascii")

    def _response_ok(
        self, username: str, stored: Any, method: str, fields: dict[str, str], response: str
    ) -> bool:
        # Only a non-empty password or HA1 is one: None, False and "" (a user with no
        # password, say one who signs in elsewhere) are refusals, as from every callback.
        known = isinstance(stored, str | bytes) and len(stored) > 0
        if known:
            secret = stored.encode("utf-8") if isinstance(stored, str) else stored
        else:
            # Unknown user: compute against a random secret so the work, and the
            # answer, are the same as for a wrong password.
            secret = secrets.token_hex(16).encode("ascii")
        # Each allowed reading costs the same work whatever was stored, so timing does
        # not tell an unknown user, a password and an HA1 apart.
        readings: list[tuple[bytes, bool]] = []
        if self.use_ha1_pw is not True:
            readings.append(
                (self._h(b":".join([username.encode(), self.realm.encode(), secret])), True)
            )
        if self.use_ha1_pw is not False:
            looks_like_ha1 = len(secret) == self._hex_length
            readings.append(
                (secret.lower() if looks_like_ha1 else b"0" * self._hex_length, looks_like_ha1)
            )
        ha2 = self._h(f"{method}:{fields['uri']}".encode("latin-1"))
        tail = b":".join(
            part.encode("latin-1")
            for part in (fields["nonce"], fields["nc"], fields["cnonce"], fields["qop"])
        )
        given = response.encode("ascii", "replace")
        ok = False
        for ha1, usable in readings:
            expected = self._h(b":".join([ha1, tail, ha2]))
            ok |= hmac.compare_digest(expected, given) and usable
        return ok and known


def _parse_params(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _PARAM.match(text, position)
        if match is None or match.end() == position:
            raise AuthFailed()
        name, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if name in fields:
            raise AuthFailed()
        fields[name] = value
        position = match.end()
    return fields


def _username(fields: dict[str, str]) -> str:
    if "username" in fields and "username*" in fields:
        raise AuthFailed()
    if "username*" in fields:  # RFC 7616 §3.4.4: UTF-8''percent-encoded
        charset, _, encoded = fields["username*"].partition("''")
        if charset.lower() != "utf-8":
            raise AuthFailed()
        try:
            return unquote(encoded, errors="strict")
        except UnicodeDecodeError:
            raise AuthFailed() from None
    if "username" not in fields or fields.get("userhash", "false").lower() == "true":
        raise AuthFailed()
    return as_utf8(fields["username"])


def _same_target(req: Request, uri: str) -> bool:
    scope = req.scope
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else req.path
    query = scope.get("query_string", b"").decode("latin-1")
    target = f"{path}?{query}" if query else path
    root = scope.get("root_path", "")
    return hmac.compare_digest(uri.encode("latin-1", "replace"), target.encode("latin-1")) or (
        bool(root) and uri == root + target
    )
