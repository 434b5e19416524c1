"""`POST /events`: S3 notifications (AWS, MinIO) and SeaweedFS filer events made jobs, one per version."""

from __future__ import annotations

import hmac

from flask import Blueprint, request

from core.intake import ingest_event
from core.limits import check_event_records
from core.s3events import EventFormatError, parse_any_event
from functions.context import services
from functions.errors import ApiError
from functions.limits import enforce, json_body

bp = Blueprint("events", __name__)


def _authorized(token: str) -> bool:
    # MinIO sends the bare token or "Bearer <token>"; AWS-style senders use "Bearer <token>".
    given = request.headers.get("Authorization", "").strip()
    given = given[7:].strip() if given.lower().startswith("bearer ") else given
    return hmac.compare_digest(given.encode(), token.encode())


@bp.post("/events")
def receive_events():
    svc = services()
    token = svc.settings.events_token
    if token and not _authorized(token):
        raise ApiError(401, "unauthorized", "POST /events needs `Authorization: Bearer <EVENTS_TOKEN>`.")
    body = json_body()
    enforce(check_event_records, body)
    try:
        parsed = parse_any_event(body, svc.settings.s3_bucket)
    except EventFormatError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
    return ingest_event(svc, parsed)
