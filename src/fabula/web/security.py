"""Response headers: a restrictive Content-Security-Policy on every response, and the report's own policy.

The app's pages load their one script and one stylesheet from ``/static`` (``'self'``): no inline script, no
remote origin. The report is the HTML writer's document as it is; its policy allows exactly its own inline
``<script>`` and ``<style>`` elements and ``style`` attributes by SHA-256 hash (:func:`report_csp`), never
``'unsafe-eval'``, never a remote source, and no inline event handlers.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Most distinct ``style`` attribute values listed by hash; a report with more falls back to allowing inline
#: style attributes (which cannot run script) so the header stays small.
MAX_ATTRIBUTE_HASHES = 400

_COMMON = (
    "default-src 'none'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)

PAGE_CSP = "; ".join((*_COMMON, "script-src 'self'", "script-src-attr 'none'", "style-src 'self'"))
"""The policy of the app's own pages (and the default for every other response)."""

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


#: The style of the bar of links the app puts above the report (an inline ``<style>``: the report's own
#: ``<meta>`` policy may allow no stylesheet from the server); :func:`report_csp` always lists its hash.
REPORT_BAR_CSS = (
    "nav.fabula-web{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:baseline;padding:.5rem 1.5rem;"
    "background:#23303f;font:15px/1.4 system-ui,sans-serif}"
    "nav.fabula-web a{color:#fff}nav.fabula-web a.brand{font-weight:700;text-decoration:none;margin-right:auto}"
)


def sha256_source(text: str) -> str:
    """A CSP hash source for ``text`` (an inline element's content or an attribute value)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _hashes(values: Iterable[str]) -> list[str]:
    return sorted({sha256_source(v) for v in values})


def report_csp(html: str) -> str:
    """A policy for one report document: its inline scripts, style elements and style attributes by hash."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    scripts: list[str] = []
    attrs: list[str] = []
    for node in tree.css("script"):
        kind = (node.attributes.get("type") or "").strip().lower()
        if kind in ("", "module", "text/javascript", "application/javascript") and "src" not in node.attributes:
            scripts.append(node.text(deep=True) or "")
    styles = [REPORT_BAR_CSS]
    for node in tree.css("style"):
        styles.append(node.text(deep=True) or "")
    for node in tree.css("[style]"):
        attrs.append(node.attributes.get("style") or "")
    script_src = " ".join(_hashes(scripts)) or "'none'"
    style_elem = " ".join(_hashes(styles))
    attr_hashes = _hashes(attrs)
    if not attr_hashes:
        style_attr = "'none'"
    elif len(attr_hashes) <= MAX_ATTRIBUTE_HASHES:
        style_attr = " ".join(["'unsafe-hashes'", *attr_hashes])
    else:
        style_attr = "'unsafe-inline'"
    return "; ".join(
        (
            *_COMMON,
            f"script-src {script_src}",
            "script-src-attr 'none'",
            f"style-src {style_elem}",
            f"style-src-elem {style_elem}",
            f"style-src-attr {style_attr}",
        )
    )


class SecurityHeaders:
    """ASGI middleware: adds :data:`HEADERS` to every response and :data:`PAGE_CSP` unless a route set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", PAGE_CSP.encode("ascii")))
                for k, v in HEADERS.items():
                    if k.encode() not in present:
                        headers.append((k.encode(), v.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
