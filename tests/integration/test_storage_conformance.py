"""The same S3 scenarios on SeaweedFS and on moto: what both do alike, and what each one enforces."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.stack import Stack

BUCKET = "jobs"
ALLOWED_ORIGIN = "http://allowed.example"
OTHER_ORIGIN = "http://other.example"
MB = 1024 * 1024

# What each server refuses (True) or lets through (False): SeaweedFS checks signatures and POST policies,
# moto's server checks neither (the functions' HEAD in `start` and the worker's size check cover it).
ENFORCES = {
    "seaweedfs": {"retyped_put": True, "oversized_put": True, "oversized_post": True, "bad_signature": True,
                  "other_origin": True},
    "moto": {"retyped_put": False, "oversized_put": False, "oversized_post": False, "bad_signature": False,
             "other_origin": True},
}  # fmt: skip
# Unsigned GET object, PUT object, list: moto refuses the object calls (bucket ACL) but lists for anyone.
UNSIGNED_STATUS = {"seaweedfs": [403, 403, 403], "moto": [403, 403, 200]}


@pytest.fixture(scope="module", params=["seaweedfs", "moto"])
def server(request, tmp_path_factory) -> Iterator[Stack]:
    """Only the S3 server of a stack, with the bucket and its CORS for ALLOWED_ORIGIN."""
    env = {"PATH": os.environ.get("PATH", ""), "CORS_ORIGINS": ALLOWED_ORIGIN, "S3_BUCKET": BUCKET}
    stack = Stack(tmp_path_factory.mktemp(f"s3-{request.param}"), env, s3_server=request.param, webhook=False)
    try:
        stack.start_s3()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def s3(server: Stack):
    return server.s3_client()


def enforces(server: Stack, what: str) -> bool:
    return ENFORCES[server.s3_server][what]


@pytest.mark.parametrize(
    "key", ["incoming/with space.txt", "incoming/plus+sign.txt", "incoming/100%.txt",
            "incoming/ünï cødé 中文.txt", "incoming/a%2Fb.txt", "incoming/deep/a b/c+d%2F%20.txt"],
)  # fmt: skip
def test_awkward_keys_round_trip(s3, key):
    s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    listed = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=key)["Contents"]]
    assert listed == [key]
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode()
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=60)
    assert requests.get(url, timeout=10).content == key.encode()


def test_a_40_mb_multipart_object(s3):
    data = os.urandom(40 * MB)
    config = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=4)
    s3.upload_fileobj(io.BytesIO(data), BUCKET, "incoming/big.bin", Config=config)
    head = s3.head_object(Bucket=BUCKET, Key="incoming/big.bin")
    assert head["ContentLength"] == len(data) and head["ETag"].strip('"').endswith("-5")
    body = s3.get_object(Bucket=BUCKET, Key="incoming/big.bin")["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="incoming/big.bin")["Contents"][0]
    assert listed["ETag"] == head["ETag"]


def test_listing_pages_past_1000_keys(s3):
    prefix = "many/"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: s3.put_object(Bucket=BUCKET, Key=f"{prefix}{n:04}", Body=b"x"), range(1005)))
    first = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    assert first["KeyCount"] == 1000 and first["IsTruncated"]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    assert keys == [f"{prefix}{n:04}" for n in range(1005)]


def test_an_overwritten_object_is_one_key_with_the_new_content(s3):
    first = s3.put_object(Bucket=BUCKET, Key="incoming/twice.txt", Body=b"one")["ETag"]
    second = s3.put_object(Bucket=BUCKET, Key="incoming/twice.txt", Body=b"two two")["ETag"]
    assert first != second
    assert s3.get_object(Bucket=BUCKET, Key="incoming/twice.txt")["Body"].read() == b"two two"
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="incoming/twice")["Contents"]
    assert [(item["Key"], item["ETag"], item["Size"]) for item in listed] == [
        ("incoming/twice.txt", second, 7)
    ]


def presigned_put(s3, key: str, size: int, content_type: str = "text/plain") -> str:
    params = {"Bucket": BUCKET, "Key": key, "ContentType": content_type, "ContentLength": size}
    return s3.generate_presigned_url("put_object", Params=params, ExpiresIn=60)


def test_a_presigned_put_as_signed_is_stored(s3):
    url = presigned_put(s3, "uploads/ok.txt", 5)
    assert requests.put(url, data=b"12345", headers={"Content-Type": "text/plain"}, timeout=10).ok
    assert s3.head_object(Bucket=BUCKET, Key="uploads/ok.txt")["ContentLength"] == 5


@pytest.mark.parametrize(
    ("what", "body", "content_type"),
    [("retyped_put", b"12345", "text/html"), ("oversized_put", b"1234567890", "text/plain")],
)
def test_a_presigned_put_with_another_type_or_size(server, s3, what, body, content_type):
    key = f"uploads/{what}.txt"
    url = presigned_put(s3, key, 5)
    reply = requests.put(url, data=body, headers={"Content-Type": content_type}, timeout=10)
    if enforces(server, what):
        assert reply.status_code == 403 and "SignatureDoesNotMatch" in reply.text
        assert s3.list_objects_v2(Bucket=BUCKET, Prefix=key)["KeyCount"] == 0
    else:
        assert reply.status_code == 200


def test_a_presigned_post_over_its_size(server, s3):
    post = s3.generate_presigned_post(
        Bucket=BUCKET, Key="uploads/post.txt", Fields={"Content-Type": "text/plain"},
        Conditions=[{"Content-Type": "text/plain"}, ["content-length-range", 0, 5]], ExpiresIn=60,
    )  # fmt: skip
    ok = requests.post(post["url"], data=post["fields"], files={"file": ("p.txt", b"12345")}, timeout=10)
    assert ok.status_code in (200, 201, 204), ok.text
    big = requests.post(post["url"], data=post["fields"], files={"file": ("p.txt", b"x" * 6)}, timeout=10)
    if enforces(server, "oversized_post"):
        assert big.status_code == 400 and "EntityTooLarge" in big.text
        assert s3.head_object(Bucket=BUCKET, Key="uploads/post.txt")["ContentLength"] == 5
    else:
        assert big.status_code in (200, 201, 204)


def test_unsigned_requests(server, s3):
    s3.put_object(Bucket=BUCKET, Key="results/x.json", Body=b"{}")
    base = f"http://127.0.0.1:{server.s3_port}/{BUCKET}"
    replies = [
        requests.get(f"{base}/results/x.json", timeout=10),
        requests.put(f"{base}/results/x.json", data=b'{"words": 1}', timeout=10),
        requests.get(f"{base}?list-type=2", timeout=10),
    ]
    assert [reply.status_code for reply in replies] == UNSIGNED_STATUS[server.s3_server]
    assert s3.get_object(Bucket=BUCKET, Key="results/x.json")["Body"].read() == b"{}"


def client_with(server: Stack, access_key: str, secret_key: str):
    return boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{server.s3_port}", region_name="us-east-1",
        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )  # fmt: skip


@pytest.mark.parametrize("who", ["wrong secret", "unknown key"])
def test_requests_signed_with_made_up_credentials(server, who):
    key = server.env["AWS_ACCESS_KEY_ID"] if who == "wrong secret" else "nobody"
    client = client_with(server, key, "made-up-secret")
    try:
        client.put_object(Bucket=BUCKET, Key="results/forged.json", Body=b"{}")
        status = 200
    except ClientError as exc:
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
    assert status == (403 if enforces(server, "bad_signature") else 200)


@pytest.mark.parametrize("origin", [ALLOWED_ORIGIN, OTHER_ORIGIN])
def test_cors_preflight_for_a_presigned_put(server, s3, origin):
    headers = {"Origin": origin, "Access-Control-Request-Method": "PUT",
               "Access-Control-Request-Headers": "content-type"}  # fmt: skip
    reply = requests.options(presigned_put(s3, "uploads/cors.txt", 5), headers=headers, timeout=10)
    if origin == ALLOWED_ORIGIN or not enforces(server, "other_origin"):
        assert reply.status_code == 200 and reply.headers["Access-Control-Allow-Origin"] == origin
        assert "etag" in reply.headers.get("Access-Control-Expose-Headers", "").lower()
    else:  # a preflight that is not 2xx stops the browser (moto still echoes the origin with its 403)
        assert reply.status_code == 403


def test_the_bucket_cors_is_set_again_idempotently(server, s3):
    from infra.bucket import cors_rules, ensure_bucket

    for _ in range(2):
        ensure_bucket(s3, BUCKET, server.origins)
    rules = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert len(rules) == 1 and set(rules[0]["AllowedOrigins"]) == set(server.origins)
    assert rules[0]["ExposeHeaders"] == cors_rules(server.origins)["CORSRules"][0]["ExposeHeaders"]


def listening_ports(pid: int) -> set[int]:
    """TCP ports process `pid` listens on, as `ss -ltnp` shows them."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    return {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines() if f"pid={pid}," in line}


def test_seaweedfs_listens_only_on_the_ports_it_was_given(server):
    if server.s3_server != "seaweedfs" or shutil.which("ss") is None:
        pytest.skip("SeaweedFS's listeners, checked with ss")
    assert server.weed_ports is not None and server.s3 is not None and server.s3.proc is not None
    assert listening_ports(server.s3.proc.pid) == server.weed_ports.listeners()
