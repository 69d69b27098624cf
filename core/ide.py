"""GraphiQL, the in-browser IDE, served from files shipped in the package (no CDN).

Many community servers run on networks without the public internet; the IDE must load there.
``core/static/graphiql`` holds the built GraphiQL 3 (``graphiql.min.js``/``.css``) and the
React 18 UMD builds it runs on, copied unchanged from the npm packages (see LICENSES.txt).
The page is answered at ``/graphql`` for a browser (``Accept: text/html``) outside production
mode; its assets at ``/graphiql/<file>``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException

ASSETS = Path(__file__).parent / "static" / "graphiql"
TYPES = {
    "graphiql.min.js": "text/javascript; charset=utf-8",
    "graphiql.min.css": "text/css; charset=utf-8",
    "react.production.min.js": "text/javascript; charset=utf-8",
    "react-dom.production.min.js": "text/javascript; charset=utf-8",
    "start.js": "text/javascript; charset=utf-8",
}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Yizhan GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  <script src="/graphiql/react.production.min.js"></script>
  <script src="/graphiql/react-dom.production.min.js"></script>
  <script src="/graphiql/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="/graphiql/start.js"></script>
</body>
</html>
"""


@lru_cache(maxsize=len(TYPES))
def _read(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


def page() -> Response[str]:
    """The IDE's HTML page."""
    return Response(PAGE, media_type="text/html; charset=utf-8")


@get("/graphiql/{name:str}", sync_to_thread=False, include_in_schema=False)
def asset(name: str) -> Response[bytes]:
    """One of the IDE's files (cached by browsers for a day)."""
    if name not in TYPES:
        raise NotFoundException()
    return Response(_read(name), media_type=TYPES[name],
                    headers={"Cache-Control": "public, max-age=86400"})
