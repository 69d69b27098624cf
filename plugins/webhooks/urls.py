"""Which URLs a subscription may point at.

``http`` or ``https``, a host, no user:password part, at most 500 characters. Unless the
deployment allows it (``YIZHAN_WEBHOOKS_ALLOW_PRIVATE_URLS=1``), hosts on loopback, private,
link-local, multicast or reserved addresses are refused — checked when subscribing and again,
after resolving the name, before every attempt (a name may be re-pointed later).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from yizhan.core.api import invalid
from yizhan.plugins.webhooks.settings import deployment

MAX_LENGTH = 500


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str | None) -> str:
    """The cleaned URL, or WEBHOOK_URL_INVALID / WEBHOOK_URL_PRIVATE (field ``url``)."""
    cleaned = (url or "").strip()
    if not cleaned or len(cleaned) > MAX_LENGTH:
        raise invalid("url", "Give an http or https URL of at most {max} characters.",
                      code="WEBHOOK_URL_INVALID", max=MAX_LENGTH)
    try:
        parts = urlsplit(cleaned)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise invalid("url", "Give an http or https URL of at most {max} characters.",
                      code="WEBHOOK_URL_INVALID", max=MAX_LENGTH)
    if parts.username or parts.password:
        raise invalid("url", "The URL must not contain a user name or password.",
                      code="WEBHOOK_URL_INVALID")
    if not deployment().allow_private_urls and _literal_private(parts.hostname):
        raise invalid("url", "This URL points into a private network.",
                      code="WEBHOOK_URL_PRIVATE")
    return cleaned


def _literal_private(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
            ".localhost"):
        return True
    try:
        return _is_private(host)
    except ValueError:
        return False  # a name: resolved and checked before each attempt


async def refuse_private_target(url: str) -> str | None:
    """Before an attempt: why the URL's host may not be contacted, or None when it may.

    Resolves the name and refuses if any address is private (unless the deployment allows).
    """
    if deployment().allow_private_urls:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _literal_private(host):
        return "address not allowed: private network"
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80),
            type=socket.SOCK_STREAM)
    except OSError as error:
        return f"cannot resolve {host}: {error}"
    for info in infos:
        if _is_private(info[4][0]):
            return "address not allowed: private network"
    return None
