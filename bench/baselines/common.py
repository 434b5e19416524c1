"""What both baselines share: an S3 client per process and the original project's way of counting."""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

BUCKET = os.environ.get("S3_BUCKET", "baseline")


@cache
def s3() -> Any:
    """One client per process (built lazily, so forked and prefork children each make their own)."""
    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL"),
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def new_key(filename: str) -> str:
    return f"uploads/{uuid.uuid4().hex}/{os.path.basename(filename) or 'file'}"


def store_upload(stream: Any, key: str) -> None:
    s3().put_object(Bucket=BUCKET, Key=key, Body=stream, ContentType="text/plain")


def count_object(key: str, job_id: str) -> dict[str, Any]:
    """GET the upload, count words the original way, PUT a result JSON; returns the result."""
    body = s3().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    with io.TextIOWrapper(io.BytesIO(body), encoding="utf-8") as f:
        words = sum(len(line.split()) for line in f)
    result = {"job_id": job_id, "key": key, "words": words, "finished_at": time.time()}
    s3().put_object(
        Bucket=BUCKET,
        Key=f"results/{job_id}.json",
        Body=json.dumps(result).encode(),
        ContentType="application/json",
    )
    return result
