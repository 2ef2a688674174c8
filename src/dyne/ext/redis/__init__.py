"""Shared state on Redis for apps served by several workers (``pip install "dyne[redis]"``).

- :class:`RedisReplayStore`: ``DigestAuth(replay_store=...)`` refuses a replayed Digest
  request on every worker, not only on the one that answered it first.
- :class:`RedisSessionStore`: ``App(session_store=...)`` keeps sessions in Redis; the
  cookie carries only a signed random id, and a session can be revoked.
- :class:`RedisBroadcast`: ``app.broadcast.backend = RedisBroadcast(url)`` delivers a
  message published on one worker to subscribers on every worker (Redis pub/sub).

Nothing connects at import or construction: Redis is reached at first use. When it cannot
be reached, the request that needed it gets a 503 (:class:`RedisUnavailable`, logged);
requests that don't use Redis are unaffected. Nothing fails open: a replay check that
cannot reach Redis refuses the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, TypedDict

from dyne.exceptions import HTTPException, MissingDependency
from dyne.sessions import Session, codec_for, delete_session_cookie, set_session_cookie

try:
    import redis
    import redis.asyncio as aioredis
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
    if exc.name != "redis":
        raise
    raise MissingDependency("redis", "redis") from None

if TYPE_CHECKING:
    from dyne.request import Request
    from dyne.response import Response

__all__ = [
    "DEFAULT_TIMEOUT",
    "RedisBroadcast",
    "RedisReplayStore",
    "RedisSessionStore",
    "RedisUnavailable",
]

logger = logging.getLogger("dyne.ext.redis")

#: Seconds to wait for Redis (connect, and each command) before answering 503.
DEFAULT_TIMEOUT = 2.0

#: Subscriptions one :class:`RedisBroadcast` holds open at once (each is a Redis connection).
_DEFAULT_MAX_SUBSCRIPTIONS = 1000

#: Seconds an old session id keeps its (old) data after a write moved the session to a
#: new id, so a request already in flight with the old cookie is not logged out.
ROTATION_GRACE = 10

# Any error from Redis, not only a lost connection: a full (OOM) or read-only (a replica
# after a failover) Redis refuses the fixed commands these stores send, and that is an
# outage to answer 503 with Retry-After, like a timeout.
_FAILURES = (redis.RedisError, OSError)


class RedisUnavailable(HTTPException):
    """Redis could not be reached: the request is answered 503 (and the cause logged)."""

    def __init__(self, url: str, what: str, cause: BaseException) -> None:
        self.url = url
        self.cause = cause
        super().__init__(503, "Service Unavailable", headers={"Retry-After": "5"})
        logger.error(
            "Could not reach Redis at %s for %s (%s: %s); the request was answered 503. "
            "Check that Redis is running and the URL is right.",
            _redact(url),
            what,
            type(cause).__name__,
            cause,
        )


def _redact(url: str) -> str:
    """The URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.partition(":")[0]
        return f"{scheme}://{user + ':***' if user else '***'}@{host}"
    return url


def _check_url(url: object) -> str:
    if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"Expected a Redis URL such as redis://127.0.0.1:6379/0, not {url!r}.")
    return url


class _ClientOptions(TypedDict):
    """The options every client of a store or broadcast is made with."""

    socket_timeout: float | None
    socket_connect_timeout: float
    decode_responses: bool


class _Connection:
    """A sync client and one async client per event loop, all made at first use."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = _check_url(url)
        self.timeout = timeout
        self._sync: redis.Redis | None = None
        self._async: dict[asyncio.AbstractEventLoop, aioredis.Redis] = {}

    def _options(self) -> _ClientOptions:
        return {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
            "decode_responses": True,
        }

    @property
    def sync(self) -> redis.Redis:
        if self._sync is None:
            self._sync = redis.Redis.from_url(self.url, **self._options())
        return self._sync

    @property
    def aio(self) -> aioredis.Redis:
        # An asyncio client's connections belong to the loop that opened them.
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            for old in [old for old in self._async if old.is_closed()]:
                del self._async[old]
            client = self._async[loop] = aioredis.Redis.from_url(self.url, **self._options())
        return client

    def subscriber(self) -> aioredis.Redis:
        """A client for pub/sub: no read timeout, a subscriber may wait for long."""
        options = self._options()
        options["socket_timeout"] = None
        return aioredis.Redis.from_url(self.url, **options)


class RedisReplayStore:
    """Remembers used Digest ``(nonce, cnonce, nc)`` triples in Redis, for every worker.

    ``DigestAuth(replay_store=RedisReplayStore("redis://127.0.0.1:6379/0"))``. An entry
    expires when its nonce can no longer be used. When Redis cannot be reached, the
    request is refused with 503: a replay is never accepted because the check failed.

    :param url: the Redis URL.
    :param prefix: prefix of the keys it writes.
    :param timeout: seconds to wait for Redis.
    """

    def __init__(
        self, url: str, *, prefix: str = "dyne:digest:", timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.prefix = prefix
        self._redis = _Connection(url, timeout)

    async def first_use(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True the first time, False for a replay."""
        name = self.prefix + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        try:
            created = await self._redis.aio.set(name, "1", nx=True, px=max(1, int(ttl * 1000)))
        except _FAILURES as exc:
            raise RedisUnavailable(self._redis.url, "the Digest replay check", exc) from exc
        return bool(created)


class _StoredSession(Session):
    """A session read from Redis; remembers a ``clear()`` (``login()`` starts with one), after
    which the session is a new one with a family of its own."""

    restarted = False

    def clear(self) -> None:
        """Remove every key; the data written after this starts a new family."""
        self.restarted = True
        super().clear()


class RedisSessionStore:
    """Server-side sessions in Redis: ``App(session_store=RedisSessionStore(url))``.

    The session data is stored as JSON under a random 256-bit id; the ``dyne-Session``
    cookie carries only that id, signed with the app's secret key (a forged or altered
    cookie reads as an empty session). Entries expire ``App(session_max_age=...)`` seconds
    after the last write. Every write moves the session to a fresh id (so an id planted
    before a login never becomes a logged-in one); the old id keeps its old data for a few
    seconds for requests already in flight. The ids a session moved through form one
    family, so a copy of the cookie that was written to since (and so holds an id of its
    own) still ends with it: clearing the session (``logout()``), clearing and filling it
    again (``login()``, which starts a new family) or :meth:`revoke` ends every id of the
    family at once.

    :param url: the Redis URL.
    :param prefix: prefix of the keys it writes.
    :param timeout: seconds to wait for Redis before answering 503.
    """

    def __init__(
        self, url: str, *, prefix: str = "dyne:session:", timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.prefix = prefix
        self._redis = _Connection(url, timeout)

    def _cookie(self, req: Request) -> tuple[str, str] | None:
        """The (id, family) the request's signed cookie names, or None."""
        value = req.cookies.get("dyne-Session")
        if not value:
            return None
        signed = codec_for(req.app).loads(value)
        sid, family = signed.get("sid"), signed.get("family")
        if isinstance(sid, str) and sid and isinstance(family, str) and family:
            return sid, family
        return None

    def _family_key(self, family: str) -> str:
        return f"{self.prefix}family:{family}"

    def load(self, req: Request) -> Session:
        """The session named by the request's cookie (empty when absent, forged, gone or
        revoked)."""
        named = self._cookie(req)
        if named is None:
            return Session()
        sid, family = named
        try:
            raw, alive = self._redis.sync.mget(self.prefix + sid, self._family_key(family))
        except _FAILURES as exc:
            raise RedisUnavailable(self._redis.url, "reading the session", exc) from exc
        if raw is None or alive is None:
            return Session()  # gone, or its family was ended (logout, revoke)
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("family") != family:
            return Session()
        data = record.get("data")
        session = _StoredSession(data if isinstance(data, dict) else {})
        session.id = sid
        return session

    def save(self, req: Request, resp: Response, session: Session) -> None:
        """Write ``session`` under a new id and set the cookie; an empty one is deleted."""
        client = self._redis.sync
        old = session.id
        named = self._cookie(req) if old is not None else None
        # The family goes on with the session the cookie named and was loaded; else it is new.
        family = named[1] if named is not None and named[0] == old else None
        previous = None
        if getattr(session, "restarted", False) and session:
            # Cleared, then filled again (a login): a copy of the cookie from before, such
            # as one planted by an attacker, must not be able to end the new session, and
            # the old session ends with every copy of it.
            previous, family = family, None
        try:
            if not session:
                if old is not None:
                    # Emptied (logout): end every id of the family, copies included.
                    keys = [self.prefix + old]
                    if family is not None:
                        keys.append(self._family_key(family))
                    client.delete(*keys)
                    session.id = None
                delete_session_cookie(req, resp)
                return
            continuing = family is not None
            if family is None:
                family = secrets.token_urlsafe(16)
            value = json.dumps({"family": family, "data": dict(session)}, separators=(",", ":"))
            sid = secrets.token_urlsafe(32)
            max_age = req.app.session_max_age
            with client.pipeline(transaction=True) as pipe:
                pipe.set(self.prefix + sid, value, ex=max_age)
                # A family ended while this request ran (a logout) stays ended: XX.
                pipe.set(self._family_key(family), "1", ex=max_age, xx=continuing)
                if old is not None:
                    pipe.expire(self.prefix + old, ROTATION_GRACE)
                if previous is not None:
                    pipe.delete(self._family_key(previous))
                pipe.execute()
        except _FAILURES as exc:
            raise RedisUnavailable(self._redis.url, "saving the session", exc) from exc
        session.id = sid
        cookie = codec_for(req.app).dumps({"sid": sid, "family": family})
        set_session_cookie(req, resp, cookie)

    def revoke(self, session_id: str) -> bool:
        """End the session ``session_id`` (``req.session.id``) now, with every id its family
        moved through (copies of its cookie that were written to since); True if it existed."""
        client = self._redis.sync
        key = self.prefix + session_id
        try:
            raw = client.get(key)
            keys = [key]
            try:
                record = json.loads(raw) if raw is not None else None
            except ValueError:
                record = None
            family = record.get("family") if isinstance(record, dict) else None
            if isinstance(family, str) and family:
                keys.append(self._family_key(family))
            return bool(client.delete(*keys))
        except _FAILURES as exc:
            raise RedisUnavailable(self._redis.url, "revoking a session", exc) from exc


class _Messages:
    """The messages of one Redis pub/sub subscription."""

    def __init__(self, pubsub: aioredis.client.PubSub) -> None:
        self._pubsub = pubsub

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        async for item in self._pubsub.listen():
            if item.get("type") == "message":
                yield item["data"]


class RedisBroadcast:
    """A broadcast backend on Redis pub/sub: ``app.broadcast.backend = RedisBroadcast(url)``.

    A message published on any worker reaches the subscribers of every worker connected
    to the same Redis (and ``prefix``). Each subscription holds one Redis connection while
    it is open, so their number is bounded: past ``max_subscriptions`` in this process, a
    new one is refused (503 in a view; a WebSocket is closed with 1011). Without that, a
    client opening WebSockets could use up Redis' ``maxclients``, and with them the
    sessions, replay checks and tasks of every worker.

    :param url: the Redis URL.
    :param prefix: prefix of the Redis channel names (keeps apps sharing a Redis apart).
    :param timeout: seconds to wait for Redis when publishing or subscribing.
    :param max_subscriptions: subscriptions open at once in this process; keep it, times
        the number of workers, well under Redis' ``maxclients`` (10,000 by default).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "dyne:broadcast:",
        timeout: float = DEFAULT_TIMEOUT,
        max_subscriptions: int = _DEFAULT_MAX_SUBSCRIPTIONS,
    ) -> None:
        if not isinstance(max_subscriptions, int) or max_subscriptions < 1:
            raise ValueError(
                f"max_subscriptions must be a positive int, not {max_subscriptions!r}."
            )
        self.prefix = prefix
        self.max_subscriptions = max_subscriptions
        self._open = 0
        self._redis = _Connection(url, timeout)

    async def publish(self, channel: str, message: str) -> None:
        """Publish ``message`` on ``channel`` to every worker's subscribers."""
        try:
            await self._redis.aio.publish(self.prefix + channel, message)
        except _FAILURES as exc:
            raise RedisUnavailable(self._redis.url, "publishing a broadcast", exc) from exc

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_Messages]:
        """Listen on ``channel`` (subscribed before the block starts) until the block ends."""
        if self._open >= self.max_subscriptions:
            logger.warning(
                "A broadcast subscription to %r was refused: %d are open, the most this "
                "RedisBroadcast allows (max_subscriptions); each holds a Redis connection.",
                channel,
                self._open,
            )
            raise HTTPException(503, "Service Unavailable", headers={"Retry-After": "5"})
        self._open += 1
        client = self._redis.subscriber()
        pubsub = client.pubsub()
        try:
            try:
                await pubsub.subscribe(self.prefix + channel)
            except _FAILURES as exc:
                raise RedisUnavailable(self._redis.url, "subscribing", exc) from exc
            yield _Messages(pubsub)
        finally:
            self._open -= 1
            with contextlib.suppress(*_FAILURES):
                await pubsub.aclose()
            with contextlib.suppress(*_FAILURES):
                await client.aclose()
