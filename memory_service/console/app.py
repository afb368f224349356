"""Mounts the console on the service's app: its routers and its static files, all served from the package."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import eval_jobs, graph_view, keys, overview, playground, sign_in, users

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    for module in (sign_in, overview, users, playground, graph_view, keys, eval_jobs):
        app.include_router(module.router)
    app.mount("/admin/static", StaticFiles(directory=STATIC), name="console-static")
