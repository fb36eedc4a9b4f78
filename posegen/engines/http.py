"""The one HTTP client of the remote engines (ComfyUI, Black Forest Labs, fal.ai).

- Timeouts on every call (connect / read / write / pool), from settings.
- Retries with exponential backoff and jitter on transient failures: connection errors, 429 (honouring
  `Retry-After`, capped), 5xx. Reads (GET) are also retried after a read timeout; a POST whose reply
  timed out is not (the provider may have accepted it) - that becomes a `TransientEngineError`, and the
  pipeline decides whether to try the whole image again.
- Secrets (API keys) are never logged: they are only ever sent in headers, every message this module
  writes or raises is scrubbed of them, and `redact()` is there for the engines' own messages.
- URLs taken from a provider's response (polling and result URLs) are fetched only after
  `url_check()` has accepted them: https on an allowed host, or the exact origin the operator configured.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import random
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineError, TransientEngineError

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
UNAVAILABLE = "The image service is busy right now; please try again."
MISCONFIGURED = "The image service is not available right now."


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret replaced by a marker (secrets shorter than 4 characters are ignored)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


class RedactingFilter(logging.Filter):
    """Scrub secrets from every record of the logger it is attached to (for libraries such as
    `websockets`, whose debug log prints request headers)."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            clean = redact(message, self.secrets)
            if clean != message:
                record.msg, record.args = clean, None
        return True


def redacting_logger(name: str, secrets: Iterable[str | None]) -> logging.Logger:
    """A logger whose records never carry `secrets` (the filter is replaced on each call)."""
    log = logging.getLogger(name)
    for old in [f for f in log.filters if isinstance(f, RedactingFilter)]:
        log.removeFilter(old)
    log.addFilter(RedactingFilter(secrets))
    return log


def _retry_after(response: httpx.Response, *, cap: float) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, cap))


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def url_check(url: str, *, allowed_hosts: Iterable[str], configured_base: str | None = None,
              what: str = "URL") -> str:
    """Accept a URL from a provider's response only if it points back at the provider.

    Allowed: `https://` on a host in `allowed_hosts` (an entry starting with "." also allows its
    subdomains), or exactly the scheme/host/port of `configured_base` (what the operator set, e.g. a
    regional endpoint, or the loopback fake in tests). Anything else raises `EngineError`, never fetched.
    """
    if not isinstance(url, str) or not url:
        raise EngineError(f"provider returned no {what}", user_message=UNAVAILABLE)
    scheme, host, _port = origin(url)
    if configured_base and origin(url) == origin(configured_base):
        return url
    if scheme == "https" and host:
        for allowed in allowed_hosts:
            allowed = allowed.strip().lower()
            if not allowed:
                continue
            if host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed)):
                return url
    raise EngineError(f"provider returned a {what} on an unexpected host ({scheme}://{host}); not fetched",
                      user_message=UNAVAILABLE)


class EngineHTTP:
    """A small retrying wrapper around one `httpx.Client` (thread-safe: share it within a process)."""

    def __init__(self, *, name: str, timeout: float, connect_timeout: float, retries: int, backoff: float,
                 backoff_cap: float = 30.0, secrets: Iterable[str | None] = (),
                 headers: Mapping[str, str] | None = None, max_connections: int = 32) -> None:
        self.name = name
        self.retries = max(0, retries)
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.secrets = [s for s in secrets if s]
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers=dict(headers or {}),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            follow_redirects=False,  # a redirect could leave the provider's host
        )

    @classmethod
    def from_settings(cls, *, name: str, secrets: Iterable[str | None] = ()) -> EngineHTTP:
        """A client with the ENGINE_HTTP_* timeouts and retry policy every remote engine shares."""
        from django.conf import settings

        return cls(name=name, timeout=settings.ENGINE_HTTP_TIMEOUT,
                   connect_timeout=settings.ENGINE_HTTP_CONNECT_TIMEOUT, retries=settings.ENGINE_HTTP_RETRIES,
                   backoff=settings.ENGINE_HTTP_BACKOFF_SECONDS, backoff_cap=settings.ENGINE_HTTP_BACKOFF_CAP_SECONDS,
                   secrets=secrets)

    def close(self) -> None:
        self._client.close()

    def _scrub(self, text: str) -> str:
        return redact(text, self.secrets)

    def _sleep(self, attempt: int, hint: float | None) -> float:
        delay = hint if hint is not None else min(self.backoff_cap, self.backoff * (2 ** attempt))
        # Jitter, not cryptography: `random` is right here.
        delay *= 1 + random.uniform(0, 0.25)  # noqa: S311  # nosec B311
        time.sleep(delay)
        return delay

    def request(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                ok: Iterable[int] = (), retry_timeouts: bool | None = None, **kwargs: Any) -> httpx.Response:
        """Send with retries; return the response if it is 2xx or its status is in `ok`.

        Exhausted retries raise `TransientEngineError`; other 4xx raise `EngineError` (401/403/402: the
        operator's key or account, with a neutral user message) or `BadEngineInput` (400/404/413/422).
        """
        ok = set(ok)
        if retry_timeouts is None:
            retry_timeouts = method.upper() in {"GET", "HEAD"}
        last: str = ""
        for attempt in range(self.retries + 1):
            hint = None
            try:
                response = self._client.request(method, url, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.RemoteProtocolError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            except httpx.TimeoutException as exc:
                last = f"{type(exc).__name__}: {exc}"
                if not retry_timeouts:
                    raise TransientEngineError(self._scrub(f"{self.name}: {method} {url} timed out ({last})"),
                                               user_message=UNAVAILABLE) from None
            except httpx.HTTPError as exc:
                raise TransientEngineError(self._scrub(f"{self.name}: {method} {url} failed: {exc}"),
                                           user_message=UNAVAILABLE) from None
            else:
                status = response.status_code
                if 200 <= status < 300 or status in ok:
                    return response
                body = self._scrub(response.text[:300])
                if status in RETRYABLE_STATUS:
                    last = f"HTTP {status} {body}"
                    hint = _retry_after(response, cap=self.backoff_cap)
                else:
                    message = self._scrub(f"{self.name}: {method} {url} -> HTTP {status}: {body}")
                    if status in (401, 402, 403):
                        raise EngineError(message, user_message=MISCONFIGURED)
                    if status in (400, 404, 405, 413, 415, 422):
                        raise BadEngineInput(message, user_message="The image service rejected this request.")
                    raise EngineError(message, user_message=MISCONFIGURED)
            if attempt < self.retries:
                delay = self._sleep(attempt, hint)
                logger.warning("%s: %s %s: %s; retry %d/%d in %.2fs", self.name, method, url,
                               self._scrub(last), attempt + 1, self.retries, delay)
        raise TransientEngineError(self._scrub(f"{self.name}: {method} {url} failed after "
                                               f"{self.retries + 1} attempts: {last}"),
                                   user_message=UNAVAILABLE)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


def json_of(response: httpx.Response, *, name: str) -> Any:
    """The response's JSON; a malformed body is a transient provider fault (a proxy page, a cut reply)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise TransientEngineError(f"{name}: malformed JSON from {response.request.url}: {exc}",
                                   user_message=UNAVAILABLE) from None


def data_uri(data: bytes, *, mime: str | None = None) -> str:
    return f"data:{mime or image_mime(data)};base64,{base64.b64encode(data).decode('ascii')}"


def image_mime(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def size_round(value: int, multiple: int = 16) -> int:
    """The smallest size FLUX accepts (a positive multiple of `multiple`) that is at least `value`: the
    result is then scaled down to the exact size asked for, never up."""
    return max(multiple, -(-int(value) // multiple) * multiple)


def image_fit(data: bytes, *, width: int, height: int, name: str,
              tolerance: float = 0.03) -> tuple[bytes, int, int]:
    """Decode a provider's image; if its size differs from the one asked for (providers round sizes to
    multiples of 16 or 32), scale it to exactly width x height when the aspect ratio agrees within
    `tolerance`.
    Returns (PNG or original bytes, width, height). An undecodable image is a transient fault."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.size == (width, height):
                return data, width, height
            ratio = (img.width / img.height) / (width / height)
            if not 1 - tolerance <= ratio <= 1 + tolerance:
                raise EngineError(f"{name}: image is {img.width}x{img.height}, asked for {width}x{height}",
                                  user_message="The engine returned an image of the wrong size.")
            resized = img.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    except EngineError:
        raise
    except Exception as exc:
        raise TransientEngineError(f"{name}: undecodable image: {exc}",
                                   user_message="The engine returned a broken image.") from None
    out = io.BytesIO()
    resized.save(out, "PNG", compress_level=3)
    return out.getvalue(), width, height
