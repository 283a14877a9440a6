"""Serving the analysts' UI: our own files from ``sanctrace/web`` and, from ``node_modules``, exactly
the library files the UI loads (an allow-list; the rest of node_modules is never exposed).

The libraries arrive through ``npm ci`` (``make install``); they are not copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles

from sanctrace.errors import NotFound

WEB = Path(__file__).resolve().parent.parent / "web"
VENDOR: dict[str, str] = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


def mount_ui(app: FastAPI) -> None:
    @app.get("/ui", include_in_schema=False)
    def ui_redirect() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @app.get("/ui/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        rel = VENDOR.get(name)
        path = WEB / "node_modules" / rel if rel else None
        if path is None or not path.is_file():
            raise NotFound(f"UI library {name} not installed (run `make install`, which runs npm ci)")
        return FileResponse(path, media_type="text/javascript",
                            headers={"cache-control": "public, max-age=86400"})

    app.mount("/ui", StaticFiles(directory=WEB / "static", html=True, check_dir=False), name="ui")
