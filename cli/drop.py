"""`filejobs drop`: copy a folder into the bucket's drop prefix, then optionally make it a batch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cli.api import Api
from cli.args import API_ERROR, FAILED, OK
from cli.commands import watch_batch
from cli.files import UNSUPPORTED, content_type, drop_keys, supported
from cli.progress import Progress


def s3_client(endpoint: str | None, region: str | None) -> Any:
    """An S3 client from boto3's usual credential chain; path-style addressing for custom endpoints."""
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"} if endpoint else {},
        retries={"max_attempts": 5, "mode": "standard"},
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region, config=config)


def upload_folder(
    s3: Any, folder: Path, bucket: str, prefix: str, progress: bool, out: TextIO, err: TextIO
) -> int:
    """upload_file (the transfer manager: multipart, parallel parts) for each supported file; the count."""
    sent = 0
    for path, key in drop_keys(folder, prefix):
        if not supported(path):
            print(f"filejobs: skipped {path}: {UNSUPPORTED}", file=err)
            continue
        with Progress(path.name, path.stat().st_size, enabled=None if progress else False) as bar:
            extra = {"ContentType": content_type(path)}
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra, Callback=bar.update)
        print(f"s3://{bucket}/{key}", file=out, flush=True)
        sent += 1
    return sent


def run(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO, s3: Any = None) -> int:
    """The drop command; with --batch, POST /batches for the prefix and watch it until done."""
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"filejobs: {folder} is not a folder", file=err)
        return FAILED
    s3 = s3 or s3_client(args.s3_endpoint, args.region)
    try:
        sent = upload_folder(s3, folder, args.bucket, args.prefix, not args.no_progress, out, err)
    except (Boto3Error, BotoCoreError, ClientError) as exc:
        print(f"filejobs: copying to s3://{args.bucket}/{args.prefix} failed: {exc}", file=err)
        return API_ERROR
    print(f"filejobs: copied {sent} files to s3://{args.bucket}/{args.prefix}", file=err)
    if not args.batch:
        return OK
    batch = api.post("/batches", {"prefix": args.prefix})
    print(f"batch {batch['batch_id']}", file=out, flush=True)
    return watch_batch(api, batch["batch_id"], args.poll, args.timeout, out, err)
