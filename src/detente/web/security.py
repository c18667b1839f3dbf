"""Security middleware and the per-request time budget.

:class:`SecurityMiddleware` is a plain ASGI middleware (no per-request task or body copy): it
refuses request bodies above a size limit with 413, before or while they arrive, and adds the
security headers to every response, and turns any exception that escapes the app into a
500 JSON answer (with the headers; the traceback goes to the server's log).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente import jsonio

log = logging.getLogger("detente.web")

#: Largest request body accepted [bytes].
MAX_BODY_BYTES = 256 * 1024
#: Seconds a request may compute, counted from when a worker takes it, before it is stopped
#: and answered with 503.
TIME_BUDGET_S = 10.0

#: CSP hash of the empty string: plotly.js creates an empty <style> element and fills it
#: through the CSSOM (which CSP allows), so the empty inline style is the only one admitted.
EMPTY_STYLE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def content_security_policy(style_hashes: tuple[str, ...] = ()) -> str:
    """The page's Content-Security-Policy: this server only, nothing inline but hashed styles.

    ``style_hashes`` admit fixed style texts of the served scripts (``sha256-...``).

    Examples
    --------
    >>> "frame-ancestors 'none'" in content_security_policy()
    True
    """
    styles = " ".join(f"'{h}'" for h in (EMPTY_STYLE_HASH, *style_hashes))
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' {styles}",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(csp: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers added to every response, with ``csp`` as the Content-Security-Policy."""
    return (
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    )


class BodyTooLargeError(Exception):
    """The request body passed the size limit while it was being read."""


class TimeBudgetError(Exception):
    """A computation ran past the request's time budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the computation took longer than the time budget of {seconds:g} s")


class SecurityMiddleware:
    """Request size limit (413) and security headers on every HTTP response.

    Parameters
    ----------
    app : ASGI application
    max_body_bytes : int
        Largest request body [bytes]; a larger ``Content-Length`` is refused before the body
        is read, a body streamed without one is cut off when it passes the limit.
    csp : str
        The Content-Security-Policy (:func:`content_security_policy`).
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int = MAX_BODY_BYTES, csp: str | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.headers = security_headers(csp or content_security_policy())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = refused = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is out: drop whatever the app answers to the cut-off body
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in self.headers if h[0] not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        length = _content_length(scope)
        if length is not None and length > self.max_body_bytes:
            await self._too_large(send_with_headers)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    if not started and not refused:
                        await self._too_large(send_with_headers)
                        refused = True
                    raise BodyTooLargeError
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except BodyTooLargeError:
            pass  # already answered with 413
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _internal_error(send_with_headers)

    async def _too_large(self, send: Send) -> None:
        body = jsonio.dumps(
            {"detail": f"request body larger than {self.max_body_bytes:,} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _internal_error(send: Send) -> None:
    body = jsonio.dumps(
        {"detail": "internal error: the server logged it; the server keeps running"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class Workers:
    """The worker threads of one app, started on first use (idle threads end with the process).

    Parameters
    ----------
    size : int
        Number of threads.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._executor: ThreadPoolExecutor | None = None

    @property
    def executor(self) -> ThreadPoolExecutor:
        """The thread pool (created when needed)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="detente-web")
        return self._executor
