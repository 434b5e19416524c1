"""`python -m bench.s3loop URL BUCKET FIRST COUNT THREADS START`: bare boto3 doing each job's S3 work.

Per job: PUT the upload, GET it back, PUT a small result JSON — what one end-to-end job costs S3.
Waits for the wall-clock time START so that several copies begin together; prints JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import boto3
from botocore.config import Config

from bench.data import small_texts


def main(argv: list[str]) -> int:
    url, bucket, first, count, threads, start = (
        argv[0],
        argv[1],
        int(argv[2]),
        int(argv[3]),
        int(argv[4]),
        float(argv[5]),
    )
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        max_pool_connections=threads,
        request_checksum_calculation="when_required",  # as core/clients.py builds them
        response_checksum_validation="when_required",
    )
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", config=config)
    bodies = small_texts(first + count)[first:]
    cursor, lock = iter(range(count)), threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            key = f"ceiling/{first + index}.txt"
            s3.put_object(Bucket=bucket, Key=key, Body=bodies[index], ContentType="text/plain")
            data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            result = json.dumps({"key": key, "bytes": len(data)}).encode()
            s3.put_object(Bucket=bucket, Key=f"ceiling-results/{first + index}.json", Body=result)

    s3.head_bucket(Bucket=bucket)  # connect and load the service model before the clock starts
    time.sleep(max(0.0, start - time.time()))
    began = time.time()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    print(json.dumps({"began": began, "ended": time.time(), "cpu": time.process_time()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
