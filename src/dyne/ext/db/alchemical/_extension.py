"""The Alchemical extension: engines from config, the request's session, ``@db.transaction``."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Coroutine, Generator, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from alchemical.aio import Alchemical as _Alchemical
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import SessionTransactionOrigin

from dyne import extension
from dyne.ext.db.alchemical._context import activate, active_session, deactivate
from dyne.ext.db.alchemical._engine import guard
from dyne.ext.db.alchemical._health import database_check
from dyne.ext.db.alchemical._settings import read_settings, require_driver
from dyne.request import Request
from dyne.response import Response

if TYPE_CHECKING:
    from dyne.app import App

__all__ = ["Alchemical"]

logger = logging.getLogger("dyne.ext.db.alchemical")

P = ParamSpec("P")
R = TypeVar("R")

# Where the request's session lives in req.state, and the depth of @db.transaction in
# session.info (so nested decorated calls join the outermost one).
_STATE_KEY = "dyne_alchemical_session"
_DEPTH_KEY = "dyne.transaction_depth"
# Set in session.info when a view's transaction succeeded: the request commits it once the
# response is rendered (see _end_request).
_PENDING_KEY = "dyne.commit_pending"
# Left in req.state once the session is closed: the request's finalizers have run, so a new
# session would never be closed.
_FINISHED = "finished"
_FINISHED_MESSAGE = (
    "The request's database session is already closed (the view has finished); "
    "use 'async with db.Session() as session' in error handlers and background tasks."
)


class Alchemical(_Alchemical):
    """SQLAlchemy 2 (async) for a Dyne app, configured from ``ALCHEMICAL_*`` keys.

    ``db = Alchemical(app)`` (or ``Alchemical()`` then ``db.init_app(app)``) reads
    ``ALCHEMICAL_DATABASE_URL`` (required), ``ALCHEMICAL_BINDS``,
    ``ALCHEMICAL_ENGINE_OPTIONS`` and ``ALCHEMICAL_AUTOCOMMIT``; registers itself as
    ``app.extensions["alchemical"]`` (and ``app.state.db``, where the tour finds it); gives
    every request a lazy session (``session = await req.db``);
    and disposes its engines when the app shuts down.

    :param app: the app to register with now (else call :meth:`init_app` later).
    :param session_options: extra options for every session (``expire_on_commit`` is off).
    :param model_class: a declarative base to use instead of :class:`Model`.
    :param naming_convention: constraint naming convention (Alchemical's by default).
    """

    def __init__(
        self,
        app: App | None = None,
        *,
        session_options: dict[str, Any] | None = None,
        model_class: type | None = None,
        naming_convention: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            session_options=session_options,
            model_class=model_class,
            naming_convention=naming_convention,
        )
        self.app: App | None = None
        #: commit each request's session when the view succeeds (``ALCHEMICAL_AUTOCOMMIT``)
        self.autocommit = False
        self._uses_transaction = False
        self._warned_autocommit = False
        self._guarded_engines: dict[str | None, AsyncEngine] | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: App) -> None:
        """Read the configuration from ``app.config`` and attach to ``app``.

        :raises RuntimeError: when ``ALCHEMICAL_DATABASE_URL`` is not set.
        :raises ValueError: when a setting has the wrong shape (the message names it).
        :raises MissingDependency: when the URL's driver is not installed.
        """
        settings = read_settings(app.config)
        for url in (settings.url, *settings.binds.values()):
            require_driver(url)
        # A bind may be configured before any model names it; Alchemical expects its
        # metadata to exist when the engines are made.
        for key in settings.binds:
            self.metadatas.setdefault(key, MetaData())
        self.initialize(
            settings.url,
            binds=settings.binds or None,
            engine_options=settings.engine_options,
        )
        self.autocommit = settings.autocommit
        self.app = app
        extension.register(app, "alchemical", self)
        app.state.db = self  # where the tour tells users to find it
        app.request_properties["db"] = self._request_db
        app.on_event("shutdown", self.dispose)
        if hasattr(app, "add_health_check"):  # app.health()'s ready endpoint checks it
            app.add_health_check("database", database_check(self))
        if self.autocommit and self._uses_transaction:
            self._warn_autocommit()

    def get_engine(self, bind: str | None = None) -> AsyncEngine:
        """The engine of ``bind`` (the default database when ``None``), made on first use.

        Every engine this instance makes answers an unreachable database with
        :class:`DatabaseUnavailable` (a 503) instead of a 500.
        """
        engine: AsyncEngine = super().get_engine(bind)
        # Alchemical makes all its engines at once, in a new ``engines`` dict, whenever it
        # has none (first use, or after initialize()/dispose()); guard each new set once.
        # Overriding this public method (not Alchemical's private ``_create_engine``) keeps
        # us on its documented API: sessions and run_sync() both reach engines through it.
        engines = self.engines
        if engines is not None and engines is not self._guarded_engines:
            for made in engines.values():
                guard(made)
            self._guarded_engines = engines
        return engine

    async def dispose(self) -> None:
        """Close every pooled connection; engines are made again on next use."""
        with self.lock:
            engines: dict[str | None, AsyncEngine] = self.engines or {}
            if self.url is not None or self.binds:
                # initialize() with the current settings is Alchemical's public way to drop
                # its engines, session factory and run_sync() helper; they are remade lazily.
                self.initialize(self.url, binds=self.binds)
        for engine in engines.values():
            await engine.dispose()

    # -- the request's session ---------------------------------------------------------

    def _request_db(self, req: Request) -> _SessionAwaitable:
        return _SessionAwaitable(self, req)

    def session_for(self, req: Request) -> AsyncSession:
        """The session of ``req``: made on first use, then the same one until the request ends.

        At the end it is rolled back if the view raised, committed if autocommit is on and
        the response is not an error, and always closed.
        """
        session = getattr(req.state, _STATE_KEY, None)
        if session is None:
            # close_resets_only=False: once the request has closed it, the session refuses
            # further use instead of silently checking out a connection nobody returns.
            session = self.Session(close_resets_only=False)
            setattr(req.state, _STATE_KEY, session)
            req.add_finalizer(self._end_request)
        elif session is _FINISHED:
            raise RuntimeError(_FINISHED_MESSAGE)
        activate(session)
        return cast(AsyncSession, session)

    async def _end_request(self, req: Request, resp: Response, exc: BaseException | None) -> None:
        session: AsyncSession = getattr(req.state, _STATE_KEY)
        setattr(req.state, _STATE_KEY, _FINISHED)
        pending = session.info.pop(_PENDING_KEY, False)
        try:
            if exc is not None:
                await _rollback(session)
            elif pending or (
                self.autocommit and resp.status_code < 400 and session.in_transaction()
            ):
                await session.commit()
        finally:
            try:
                await session.close()
            finally:
                deactivate(session)

    # -- @db.transaction ---------------------------------------------------------------

    def transaction(
        self, func: Callable[P, Coroutine[Any, Any, R]]
    ) -> Callable[P, Coroutine[Any, Any, R]]:
        """Run the decorated coroutine in one transaction: commit on success, roll back on error.

        The request's session is used when a :class:`~dyne.Request` is among the
        arguments (else the active one, else a session of its own, closed afterwards).
        Inside another ``@db.transaction`` (or a transaction begun explicitly) it joins that
        transaction and leaves the commit to it.

        Around a view (called with the request and its response), the work is flushed when
        the view returns and committed once the response has been rendered, just before
        it is sent: a response that cannot be encoded rolls the transaction back, so a
        failed request never leaves a committed write behind.
        """
        if not inspect.iscoroutinefunction(func):
            name = getattr(func, "__qualname__", repr(func))
            raise TypeError(
                f"@db.transaction needs an async function; define {name} with async def."
            )
        self._uses_transaction = True
        if self.autocommit:
            self._warn_autocommit()

        @extension.wraps(func)
        async def transactional(*args: P.args, **kwargs: P.kwargs) -> R:
            session, owned = self._transaction_session(args, kwargs)
            try:
                if _in_transaction(session):
                    return await func(*args, **kwargs)
                session.info[_DEPTH_KEY] = 1
                try:
                    result = await func(*args, **kwargs)
                    if not owned and _is_view_call(args, kwargs):
                        # A view: commit once its response is rendered (the request's
                        # finalizer), so a response that cannot be encoded rolls back.
                        await session.flush()
                        session.info[_PENDING_KEY] = True
                    else:
                        await session.commit()
                except BaseException:
                    await _rollback(session)
                    raise
                finally:
                    session.info.pop(_DEPTH_KEY, None)
                return result
            finally:
                if owned:
                    try:
                        await session.close()
                    finally:
                        deactivate(session)

        return transactional

    def _transaction_session(
        self, args: tuple[object, ...], kwargs: Mapping[str, object]
    ) -> tuple[AsyncSession, bool]:
        """The session a transaction runs in, and whether it is the transaction's own."""
        req = extension.find_request(args, kwargs)
        if req is not None:
            return self.session_for(req), False
        session = active_session()
        if session is not None:
            return session, False
        session = self.Session()
        activate(session)
        return session, True

    def _warn_autocommit(self) -> None:
        if not self._warned_autocommit:
            self._warned_autocommit = True
            logger.warning(
                "@db.transaction is used while ALCHEMICAL_AUTOCOMMIT is true; use one or the "
                "other (set ALCHEMICAL_AUTOCOMMIT=false to let @db.transaction own commits)."
            )


class _SessionAwaitable:
    """What ``req.db`` gives: awaiting it returns the request's session.

    An object, not a coroutine, so that reading ``req.db`` without awaiting it is harmless.
    """

    __slots__ = ("_db", "_req")

    def __init__(self, db: Alchemical, req: Request) -> None:
        self._db = db
        self._req = req

    def __await__(self) -> Generator[None, None, AsyncSession]:
        return self._db.session_for(self._req)
        yield  # a generator, so that ``await`` accepts it; nothing here ever suspends


def _is_view_call(args: tuple[object, ...], kwargs: Mapping[str, object]) -> bool:
    """Whether the call carries the request's Response: a view, whose transaction ends
    with the request (a helper called with only the request commits when it returns)."""
    return extension.find_request(args, kwargs) is not None and any(
        isinstance(value, Response) for value in (*args, *kwargs.values())
    )


def _in_transaction(session: AsyncSession) -> bool:
    if session.info.get(_DEPTH_KEY) or session.info.get(_PENDING_KEY):
        return True
    # An explicit session.begin() (by middleware or an outer helper) is a boundary we join;
    # the transaction SQLAlchemy begins by itself on first use is not.
    transaction = session.sync_session.get_transaction()
    return transaction is not None and transaction.origin is not SessionTransactionOrigin.AUTOBEGIN


async def _rollback(session: AsyncSession) -> None:
    """Roll back without letting a failure to do so hide the error that caused it."""
    try:
        await session.rollback()
    except Exception:
        logger.warning("Rolling back the database session failed", exc_info=True)
