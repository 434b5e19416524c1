"""The OpenAPI 3 description of the functions, served at `/openapi.json`."""

from __future__ import annotations

from flask import Blueprint

from functions.context import services
from functions.spec import build_spec

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def openapi_json():
    return build_spec(services().settings.max_upload_bytes)
