"""`filejobs drop`: copy a folder into the bucket's drop prefix, then optionally make it a batch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from cli.api import Api
from cli.args import API_ERROR, FAILED, OK
from cli.files import UNSUPPORTED, content_type, drop_keys, label, supported
from cli.live import watch_live
from cli.progress import Progress

NO_CREDENTIALS = (
    "drop writes straight to the bucket, so it needs S3 credentials: set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (for the embedded run: `source .embedded/env`, or run filejobs from the "
    "repository, whose .embedded/env it reads)"
)


def s3_client(endpoint: str | None, region: str | None, credentials: dict[str, str] | None = None) -> Any:
    """An S3 client from `credentials` (AWS_* names), else boto3's usual chain; path-style for endpoints."""
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"} if endpoint else {},
        retries={"max_attempts": 5, "mode": "standard"},
    )
    keys = credentials or {}
    session = boto3.session.Session(
        aws_access_key_id=keys.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=keys.get("AWS_SECRET_ACCESS_KEY"),
    )
    return session.client("s3", endpoint_url=endpoint, region_name=region, config=config)


def upload_folder(
    s3: Any, folder: Path, bucket: str, prefix: str, progress: bool, out: TextIO, err: TextIO
) -> int:
    """upload_file (the transfer manager: multipart, parallel parts) for each supported file; the count."""
    found = drop_keys(folder, prefix)
    for path, _ in found:
        if not supported(path):
            print(f"filejobs: skipped {label(path)}: {UNSUPPORTED}", file=err)
    chosen = [(path, key, path.stat().st_size) for path, key in found if supported(path)]
    enabled = None if progress else False
    with Progress(len(chosen), sum(size for *_, size in chosen), stream=err, enabled=enabled) as bar:
        for path, key, size in chosen:
            bar.start_file(key[len(prefix) :], size)
            extra = {"ContentType": content_type(path)}
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra, Callback=bar.update)
            bar.end_file()
            bar.note(f"s3://{bucket}/{key}", stream=out)
    return len(chosen)


def run(api: Api, args: argparse.Namespace, out: TextIO, err: TextIO, s3: Any = None) -> int:
    """The drop command; with --batch, POST /batches for the prefix and follow it until done (its
    event stream, else polling)."""
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"filejobs: {folder} is not a folder", file=err)
        return FAILED
    s3 = s3 or s3_client(args.s3_endpoint, args.region, args.s3_env)
    try:
        sent = upload_folder(s3, folder, args.bucket, args.prefix, not args.no_progress, out, err)
    except NoCredentialsError:
        print(f"filejobs: {NO_CREDENTIALS}", file=err)
        return FAILED
    except (Boto3Error, BotoCoreError, ClientError) as exc:
        print(f"filejobs: copying to s3://{args.bucket}/{args.prefix} failed: {exc}", file=err)
        return API_ERROR
    print(f"filejobs: copied {sent} files to s3://{args.bucket}/{args.prefix}", file=err)
    if not args.batch:
        return OK
    batch = api.post("/batches", {"prefix": args.prefix})
    print(f"batch {batch['batch_id']}", file=out, flush=True)
    return watch_live(api, batch["batch_id"], args.poll, args.timeout, out, err, prefix=args.prefix)
