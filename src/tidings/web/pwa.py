"""The installable web app: the manifest, the service worker (served from the root so it may look after
every page) and the page shown when the network is gone and the page was not saved for offline reading."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web

STATIC_DIR = Path(__file__).parent / "static"

MANIFEST = {
    "name": "Tidings",
    "short_name": "Tidings",
    "description": "One clean copy of each article, credited to the publisher that wrote it.",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#fdfcf8",
    "theme_color": "#1b5e9b",
    "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


def show_manifest() -> Response:
    return JSONResponse(
        MANIFEST, media_type="application/manifest+json", headers={"Cache-Control": "public, max-age=3600"}
    )


def show_service_worker() -> Response:
    # Always revalidated: a new version of the worker must reach readers promptly.
    return Response(
        (STATIC_DIR / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


def show_offline(request: Request, web: Web, visitor: CurrentVisitor) -> Response:
    return render.page(request, web, visitor, "offline.html", {})
