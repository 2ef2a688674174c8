"""LoginManager: log users in and out of the cookie session and guard views with roles."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ParamSpec, overload

from dyne import extension
from dyne.app import App
from dyne.ext.auth._roles import compile_roles, roles_allow
from dyne.ext.auth._security import SecurityRequirement, new_guard
from dyne.ext.auth.session._failure import AuthFailureReason, default_failure
from dyne.ext.auth.session._middleware import LOGIN_USER, CurrentUserHook
from dyne.ext.auth.session._redirects import safe_redirect
from dyne.ext.auth.session._remember import RememberMe, fingerprint, same_fingerprint
from dyne.ext.auth.stateless.backends.base import ANONYMOUS, AuthBackend, AuthFailed
from dyne.request import Request
from dyne.response import Response
from dyne.sessions import SESSION_COOKIE

__all__ = [
    "DEFAULT_REMEMBER_ME_DURATION",
    "REMEMBER_COOKIE",
    "SESSION_KEY",
    "SESSION_VERSION_KEY",
    "LoginManager",
]

#: Thirty days, in seconds.
DEFAULT_REMEMBER_ME_DURATION = 2592000
#: Where the logged-in user's id is kept in the cookie session.
SESSION_KEY = "_auth_user_id"
#: Where the fingerprint of the user's version (see ``user_version``) is kept.
SESSION_VERSION_KEY = "_auth_user_version"
#: The cookie that carries the signed remember-me token.
REMEMBER_COOKIE = "dyne-Remember"

P = ParamSpec("P")


class LoginManager:
    """Session authentication for an app: login/logout, remember-me and ``login_required``.

    :param app: the app to install on now (or later with :meth:`init_app`).
    :param login_url: where anonymous browsers are sent by ``login_required``; None
        answers 401 instead.
    :param remember_me_duration: seconds a remember-me cookie stays valid (30 days).
    :param user_id_attribute: the attribute (or dict key) holding a user's id.
    :param remember_cookie_name: the remember-me cookie's name.
    """

    #: The name OpenAPI lists this scheme under.
    security_scheme_name: str = "sessionAuth"
    #: The OpenAPI Security Scheme Object: the signed session cookie.
    security_scheme: dict[str, Any] = {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}

    def __init__(
        self,
        app: App | None = None,
        *,
        login_url: str | None = "/login",
        remember_me_duration: int = DEFAULT_REMEMBER_ME_DURATION,
        user_id_attribute: str = "id",
        remember_cookie_name: str = REMEMBER_COOKIE,
    ) -> None:
        if login_url is not None and not isinstance(login_url, str):
            raise TypeError(
                f"login_url must be a path such as '/login', or None; not {login_url!r}."
            )
        if (
            isinstance(remember_me_duration, bool)
            or not isinstance(remember_me_duration, int)
            or remember_me_duration <= 0
        ):
            raise ValueError(
                f"remember_me_duration must be a positive number of seconds, "
                f"not {remember_me_duration!r}."
            )
        if not isinstance(user_id_attribute, str) or not user_id_attribute:
            raise ValueError(
                f"user_id_attribute must name an attribute or key, not {user_id_attribute!r}."
            )
        self.login_url = login_url
        self.remember_me_duration = remember_me_duration
        self.user_id_attribute = user_id_attribute
        self.remember_cookie_name = remember_cookie_name
        self._user_loader: Callable[..., Any] | None = None
        self._user_version: Callable[..., Any] | None = None
        self._get_user_roles: Callable[..., Any] | None = None
        self._on_failure: Callable[..., Any] | None = None
        self._on_login: list[Callable[..., Any]] = []
        self._on_logout: list[Callable[..., Any]] = []
        self._request_loaders: list[Callable[[Request], Awaitable[Any]]] = []
        self._backends: list[AuthBackend] = []
        self._remember: weakref.WeakKeyDictionary[App, RememberMe] = weakref.WeakKeyDictionary()
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"<LoginManager login_url={self.login_url!r}>"

    def init_app(self, app: App) -> None:
        """Install on ``app``: check its secret key and load the user on every request.

        :raises RuntimeError: when the app has no secret key, or already has a LoginManager.
        :raises ValueError: when the secret key is shorter than 16 bytes.
        """
        key = extension.secret_key(app)
        if key is None:
            raise RuntimeError(
                "Missing required config: SECRET_KEY; LoginManager signs remember-me cookies "
                "with it, so set SECRET_KEY in the config or pass App(secret_key=...)."
            )
        current = app.extensions.get("login_manager")
        if current is not None and current is not self:
            raise RuntimeError(
                "This app already has a LoginManager; create one per app and share it."
            )
        extension.register(app, "login_manager", self)
        self._remember[app] = RememberMe(key, self.remember_me_duration)
        app.add_route(before_request=True, endpoint=CurrentUserHook(self))

    # -- callbacks, registered by decorator ---------------------------------------------

    def user_loader(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def load_user(user_id: str)`` returning the user or None."""
        self._user_loader = extension.as_async(func)
        return func

    def request_loader(self, loader: Any) -> Any:
        """Register a way to find the user from the request itself, tried (in order) when
        neither the session nor a remember-me cookie names one: an API key, a bearer token.

        ``loader`` is ``[async] def load(req)`` returning the user or None, or an
        :class:`~dyne.ext.auth.AuthBackend` (``TokenAuth``, ``MultiAuth``, your own): its
        user when the request carries its credentials. Such a user is not logged into the
        session: every request carries its credentials again. A request whose credentials
        a backend refuses is answered by that backend (401 with its challenge, through its
        ``error_handler``) instead of being sent to the login page, and ``login_required``
        documents the backend's scheme beside the session's: register backends before
        decorating views. Returns ``loader``, so it also works as a decorator.
        """
        if isinstance(loader, AuthBackend):
            self._backends.append(loader)
            self._request_loaders.append(_backend_loader(loader))
        elif callable(loader):
            self._request_loaders.append(_function_loader(extension.as_async(loader)))
        else:
            raise TypeError(
                f"request_loader takes [async] def load(req) or an AuthBackend, not {loader!r}."
            )
        return loader

    def user_version(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def version(user)`` returning what must change to end all of
        the user's sessions: a counter bumped by "log out everywhere", the password hash.

        Its fingerprint (an HMAC, never the value) is stored in the session and the
        remember-me cookie at login and checked on every request; a cookie whose
        fingerprint no longer matches is refused, in every worker, without shared storage.
        """
        self._user_version = extension.as_async(func)
        return func

    def get_user_roles(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def get_roles(user)`` returning a role, a list of roles, or None."""
        self._get_user_roles = extension.as_async(func)
        return func

    def on_login(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def hook(req, resp, user)``, run after each :meth:`login`."""
        self._on_login.append(extension.as_async(func))
        return func

    def on_logout(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def hook(req, resp, user)``, run when a logged-in user logs out."""
        self._on_logout.append(extension.as_async(func))
        return func

    def on_failure(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def handler(req, resp, reason)`` answering refused requests.

        It replaces the default answer; call :meth:`default_failure` from it to fall back.
        """
        self._on_failure = extension.as_async(func)
        return func

    async def default_failure(
        self, req: Request, resp: Response, reason: AuthFailureReason
    ) -> None:
        """The built-in answer: redirect to ``login_url?next=...``, or 401, or 403."""
        default_failure(req, resp, AuthFailureReason(reason), self.login_url)

    # -- logging in and out --------------------------------------------------------------

    async def login(
        self,
        req: Request,
        resp: Response,
        user: Any,
        remember_me: bool = False,
        redirect_url: str | None = None,
    ) -> None:
        """Log ``user`` in: a fresh session holding their id, and optionally a remember-me
        cookie; then run the ``on_login`` hooks.

        The session is cleared first, so nothing put in it before login (by anyone) carries
        over into the authenticated session. With ``redirect_url``, the response redirects
        (303) to the request's ``?next=`` when it is a safe local path, else to
        ``redirect_url`` when it is, else to ``/``.
        """
        user_id = self._id_of(user)
        remember = self._remember_for(req)
        version = await self._fingerprint(remember, user_id, user)
        session = req.session
        session.clear()
        session[SESSION_KEY] = user_id
        if version is not None:
            session[SESSION_VERSION_KEY] = version
        req.state.user = user
        req.scope[LOGIN_USER] = user
        if remember_me:
            resp.set_cookie(
                self.remember_cookie_name,
                remember.dumps(user_id, version),
                max_age=self.remember_me_duration,
                secure=_secure(req),
                httponly=True,
                samesite="lax",
            )
        elif self.remember_cookie_name in req.cookies:
            # An older remember-me cookie (perhaps another user's) must not outlive this login.
            self._forget_remember_me(req, resp)
        for hook in self._on_login:
            await hook(req, resp, user)
        if redirect_url is not None:
            wanted = req.params.get("next")
            target = safe_redirect(wanted, default=safe_redirect(redirect_url))
            resp.redirect(target, status_code=303)

    def _forget_remember_me(self, req: Request, resp: Response) -> None:
        # With the flags it was set with: a deletion is a Set-Cookie like any other.
        resp.set_cookie(
            self.remember_cookie_name,
            "",
            expires="Thu, 01 Jan 1970 00:00:00 GMT",
            max_age=0,
            secure=_secure(req),
            httponly=True,
            samesite="lax",
        )

    async def logout(self, req: Request, resp: Response) -> None:
        """Log the current user out: clear the session, delete the remember-me cookie, set
        ``req.state.user`` to None, then run the ``on_logout`` hooks (only if someone was
        logged in)."""
        # The user this manager logged in, not another guard's (see login_required).
        scope = req.scope
        user = scope[LOGIN_USER] if LOGIN_USER in scope else getattr(req.state, "user", None)
        req.session.clear()
        self._forget_remember_me(req, resp)
        req.state.user = None
        req.scope[LOGIN_USER] = None
        if user is not None:
            for hook in self._on_logout:
                await hook(req, resp, user)

    # -- loading the user ---------------------------------------------------------------

    async def load_user(self, req: Request, resp: Response) -> Any:
        """The user for this request from its session or remember-me cookie, else from a
        ``request_loader``, else None.

        ``user_loader`` is called at most once, and only when there is a user id to look up.
        A session id the loader cannot find is dropped from the session; a remember-me
        cookie that is tampered, expired or names a missing user is deleted. A valid
        remember-me cookie logs the user back into the session.
        """
        user = await self._from_cookies(req, resp)
        if user is None:
            for load in self._request_loaders:
                # Falsy (False, "", 0) is "no user", as from the user loader: never a login.
                user = await load(req) or None
                if user is not None:
                    break
        return user

    async def _from_cookies(self, req: Request, resp: Response) -> Any:
        session = req.session
        user_id = session.get(SESSION_KEY)
        if user_id is not None:
            user = await self._load(user_id) if isinstance(user_id, str) else None
            if user is not None and not await self._current(
                req, user_id, user, session.get(SESSION_VERSION_KEY)
            ):
                user = None
            if user is None:
                session.pop(SESSION_KEY, None)
                session.pop(SESSION_VERSION_KEY, None)
                if self.remember_cookie_name in req.cookies:
                    # Made at the same login as the session: revoked with it, now.
                    self._forget_remember_me(req, resp)
            return user
        token = req.cookies.get(self.remember_cookie_name)
        if not token:
            return None
        remembered = self._remember_for(req).loads(token)
        user = None
        if remembered is not None:
            user_id, version = remembered
            user = await self._load(user_id)
            if user is not None and not await self._current(req, user_id, user, version):
                user = None
        if user is None:
            self._forget_remember_me(req, resp)
            return None
        # A login like login()'s: nothing in the session before it (planted by someone
        # else, with a value they know) carries over, and a store starts a new session.
        session.clear()
        session[SESSION_KEY] = user_id
        if version is not None:
            session[SESSION_VERSION_KEY] = version
        return user

    async def _fingerprint(self, remember: RememberMe, user_id: str, user: Any) -> str | None:
        if self._user_version is None:
            return None
        return fingerprint(remember.key, user_id, await self._user_version(user))

    async def _current(self, req: Request, user_id: str, user: Any, stored: Any) -> bool:
        """Whether a stored fingerprint still matches the user's version (always, unversioned)."""
        current = await self._fingerprint(self._remember_for(req), user_id, user)
        return current is None or same_fingerprint(stored, current)

    async def _load(self, user_id: str) -> Any:
        if self._user_loader is None:
            raise RuntimeError(
                "LoginManager has no user loader; register one with @auth.user_loader."
            )
        # A loader that answers False (or "", 0) for "no such user" must not log anyone in.
        return await self._user_loader(user_id) or None

    def _id_of(self, user: Any) -> str:
        attribute = self.user_id_attribute
        # Users may be mappings (rows, JSON documents) or objects (ORM models).
        if isinstance(user, Mapping):
            user_id = user.get(attribute)
        else:
            user_id = getattr(user, attribute, None)
        if user is None or user_id is None:
            raise ValueError(
                f"Cannot log in {user!r}: it has no {attribute!r} attribute or key; give it "
                "one, or set LoginManager(user_id_attribute=...)."
            )
        return str(user_id)

    def _remember_for(self, req: Request) -> RememberMe:
        remember = self._remember.get(req.app)
        if remember is None:
            raise RuntimeError(
                "This LoginManager is not installed on this app; call LoginManager(app) "
                "or auth.init_app(app)."
            )
        return remember

    # -- guarding views -------------------------------------------------------------------

    @overload
    def login_required(
        self, view: Callable[P, Any], *, role: Any = None
    ) -> Callable[P, Coroutine[Any, Any, Any]]: ...

    @overload
    def login_required(
        self, view: None = None, *, role: Any = None
    ) -> Callable[[Callable[P, Any]], Callable[P, Coroutine[Any, Any, Any]]]: ...

    def login_required(self, view: Any = None, *, role: Any = None) -> Any:
        """Let only logged-in users (with ``role``, when given) reach the decorated view.

        Use as ``@auth.login_required`` or ``@auth.login_required(role=["admin", "editor"])``
        on function views, on a class view's ``on_request`` (a refusal then also stops its
        ``on_<method>`` handler) and on its ``on_<method>`` methods, below ``@app.route``.
        Every method is guarded, OPTIONS included. ``role`` follows the
        shared rule: top-level entries are alternatives, a nested list needs all its roles.
        Refused requests go to the ``on_failure`` handler, or :meth:`default_failure`.
        """
        rule = compile_roles(role)

        def decorate(func: Any) -> Any:
            if isinstance(func, type):
                raise TypeError(
                    f"@login_required cannot wrap the class {func.__name__}; decorate its "
                    "on_<method> methods instead."
                )
            if not callable(func):
                raise TypeError(
                    f"@login_required expects a view, not {func!r}; pass roles as "
                    "@auth.login_required(role=[...])."
                )
            extension.check_not_routed(func, "@auth.login_required")
            call = extension.as_async(func)

            @extension.wraps(func)
            async def guarded(*args: Any, **kwargs: Any) -> Any:
                req, resp = extension.view_arguments(args, "@auth.login_required")
                if not await self._allows(req, resp, rule):
                    # Ends the request: a class view's on_<method> must not run after this.
                    resp.complete = True
                    return None
                return await call(*args, **kwargs)

            # The session and the request loaders' backends are alternatives: one guard.
            guard = new_guard()
            schemes = [(self.security_scheme_name, self.security_scheme)]
            for backend in self._backends:
                schemes += backend.security_schemes()
            for name, scheme in schemes:
                requirement = SecurityRequirement(name, dict(scheme), roles=role, guard=guard)
                guarded = extension.append(guarded, "security", requirement)
            return guarded

        if view is None:
            return decorate
        return decorate(view)

    async def _allows(self, req: Request, resp: Response, rule: Any) -> bool:
        # The user this manager found (session, remember-me, request loader), not whatever
        # req.state.user holds now: an @authenticate stacked above may have put its own
        # user there, and stacked guards must each be met by their own credentials.
        try:
            user = req.scope[LOGIN_USER]
        except KeyError:
            raise RuntimeError(
                "login_required found no user loaded by a LoginManager; install it on this "
                "app with LoginManager(app) or auth.init_app(app)."
            ) from None
        if user is None:
            refusal: tuple[AuthBackend, AuthFailed] | None = req.scope.get(_REFUSAL)
            if refusal is not None:
                # Credentials were sent and refused: the backend's answer, not a login page.
                backend, failure = refusal
                await backend.reject(req, resp, failure.status_code, stale=failure.stale)
                return False
            await self._fail(req, resp, AuthFailureReason.UNAUTHENTICATED)
            return False
        if rule is not None:
            if self._get_user_roles is None:
                raise RuntimeError(
                    "login_required(role=...) needs the user's roles; register "
                    "@auth.get_user_roles."
                )
            if not roles_allow(rule, await self._get_user_roles(user)):
                await self._fail(req, resp, AuthFailureReason.UNAUTHORIZED)
                return False
        return True

    async def _fail(self, req: Request, resp: Response, reason: AuthFailureReason) -> None:
        if self._on_failure is not None:
            await self._on_failure(req, resp, reason)
        else:
            await self.default_failure(req, resp, reason)


#: Where a request loader's backend leaves its refusal (an ASGI scope key, namespaced), so
#: that ``login_required`` answers it as the backend would (its status, its challenge).
_REFUSAL = "dyne.auth.refusal"


def _secure(req: Request) -> bool:
    """Whether the remember-me cookie is ``Secure``: over HTTPS, or with session_https_only."""
    return req.is_secure or bool(req.app.session_https_only)


def _function_loader(
    load: Callable[[Request], Awaitable[Any]],
) -> Callable[[Request], Awaitable[Any]]:
    """A function request loader; one that raises AuthFailed, as a backend would for bad
    credentials, finds no user (login_required refuses) instead of failing every route."""

    async def guarded(req: Request) -> Any:
        try:
            return await load(req)
        except AuthFailed:
            return None

    return guarded


def _backend_loader(backend: AuthBackend) -> Callable[[Request], Awaitable[Any]]:
    """A request loader asking ``backend`` for the user, when the request carries its
    credentials (refused or malformed credentials: no user, and the refusal is kept for
    ``login_required``; a route that needs no login still answers)."""

    async def load(req: Request) -> Any:
        try:
            if not backend.matches(req):
                return None
            user = await backend.authenticate(req)
        except AuthFailed as failure:
            req.scope.setdefault(_REFUSAL, (backend, failure))
            return None
        return None if user is ANONYMOUS else user

    return load
