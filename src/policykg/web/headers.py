"""Security headers on every response, and a Content-Security-Policy that allows only our scripts.

Pages load scripts and styles from the server itself; the one page with
inline scripts (the network view, which is also a self-contained file on
its own) gets their SHA-256 hashes in its policy, computed from the very
bytes it sends, so no other inline script can run.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>(.*?)</script>", re.S)
BASE = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"SAMEORIGIN"),
        (b"referrer-policy", b"no-referrer")]


def policy(body: bytes | None = None) -> bytes:
    hashes = ""
    if body:
        digests = {base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() for m in _INLINE_SCRIPT.finditer(body)}
        hashes = "".join(f" 'sha256-{d}'" for d in sorted(digests))
    return ("default-src 'self'; script-src 'self'" + hashes + "; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'self'").encode()


#: The policy of every response that is not an HTML page (no inline script to hash), built once.
PLAIN_POLICY = (b"content-security-policy", policy())


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        held: list[dict] = []

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in
                           (b"x-content-type-options", b"x-frame-options", b"content-security-policy")]
                message = dict(message, headers=headers + BASE)
                if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    held.append(message)  # the policy needs the body's inline scripts
                    return
                message["headers"].append(PLAIN_POLICY)
                return await send(message)
            if held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body"):
                    return
                start, *bodies = held
                held.clear()
                body = b"".join(m.get("body", b"") for m in bodies)
                await send(dict(start, headers=start["headers"] + [(b"content-security-policy", policy(body))]))
                return await send({"type": "http.response.body", "body": body})
            return await send(message)

        await self.app(scope, receive, send_with_headers)
