"""Running the app under uvicorn with limits on what clients may hold.

uvicorn runs with httptools (llhttp, in C) rather than h11: under load, h11
took about half as much again of the server process's CPU per request (0.45
against 0.29 ms for a cached canned query; bench/sparql_load_bench.py).
uvloop would save a further 0.07 ms; it is left out until the hostile-load
tests (tests/test_attack_load.py) have been run with it on a quiet machine,
since their latency bounds depend on how fast refused clients come back.
uvicorn already bounds concurrent connections (``limit_concurrency``, 503 past it)
and idle keep-alive connections (``timeout_keep_alive``). What it lacks is a
deadline for a request's headers, which a client that opens a connection and
sends half a request (slowloris) exploits, and, with httptools, a bound on
their size: :class:`HeaderDeadlineProtocol` adds both. The request body has
its own deadline in the endpoint (see ``endpoint.read_body``).

When connections take every descriptor, ``accept()`` fails with EMFILE and
asyncio logs a traceback on each retry; :class:`OncePerMinute` keeps one
such line a minute. The worker pool holds descriptors in reserve
(:data:`policykg.sparql.workers.FD_RESERVE`), so it can still replace a
worker then.
"""

from __future__ import annotations

import logging
import time

#: Seconds a client has to send a request's headers, on a new or a kept-alive connection.
HEADER_TIMEOUT = 10.0
KEEP_ALIVE = 5.0
MAX_CONNECTIONS = 256


class OncePerMinute(logging.Filter):
    """Let through one record a minute of those that match ``needle``, without its traceback."""

    def __init__(self, needle: str, every: float = 60.0):
        super().__init__()
        self.needle = needle
        self.every = every
        self.last = -float("inf")
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        if self.needle not in record.getMessage() and self.needle != exception:
            return True
        now = time.monotonic()
        if now - self.last < self.every:
            self.dropped += 1
            return False
        self.last = now
        record.exc_info = None
        record.msg = f"{record.getMessage()} (further ones this minute are not logged; {self.dropped} so far)"
        record.args = ()
        return True


#: Bytes a client may send before its request's headers are complete (h11's limit was the same).
MAX_HEADER_BYTES = 64 * 1024


def header_deadline_protocol(header_timeout: float, max_header_bytes: int = MAX_HEADER_BYTES):
    """uvicorn's httptools protocol, closing a connection whose request headers are late or too large."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _header_timer = None
        #: True from a connection's start, and from the first byte of each request, until its headers end.
        _in_headers = True
        _header_bytes = 0

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout, self._headers_late)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_late(self) -> None:
            self._header_timer = None
            if self._in_headers and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if not self._in_headers:
                return super().data_received(data)
            # One read can hold the end of the headers and the start of a large body: parse first,
            # and refuse only when the headers are still not complete. What the parser holds stays
            # bounded by the cap plus one read.
            self._header_bytes += len(data)
            super().data_received(data)
            if self._in_headers and self._header_bytes > max_header_bytes and not self.transport.is_closing():
                self._disarm()
                self.send_400_response("Request headers too large.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_headers = True  # a request begun and not yet whole
            self._arm()

        def on_headers_complete(self) -> None:
            self._in_headers = False
            self._header_bytes = 0
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderDeadlineProtocol


def serve_app(app, *, host: str, port: int, max_connections: int = MAX_CONNECTIONS,
              header_timeout: float = HEADER_TIMEOUT, keep_alive: float = KEEP_ALIVE) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, with the limits above."""
    import uvicorn

    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.addFilter(OncePerMinute("out of system resource"))
    # After descriptors ran out, asyncio's accept retries can fire once the listening socket has
    # closed at shutdown, each with a traceback: one line is enough.
    asyncio_log.addFilter(OncePerMinute("BaseSelectorEventLoop._start_serving"))
    logging.getLogger("uvicorn.error").addFilter(OncePerMinute("SlowReader"))
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, loop="asyncio",
                            http=header_deadline_protocol(header_timeout), limit_concurrency=max_connections,
                            timeout_keep_alive=keep_alive, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run()


LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


def default_allowed_hosts(bind: str) -> list[str] | None:
    """Loopback names when the server listens on loopback only; None (any host) otherwise."""
    if bind in ("127.0.0.1", "localhost", "::1") or bind.startswith("127."):
        return LOOPBACK_NAMES + ([bind] if bind not in LOOPBACK_NAMES else [])
    return None
