"""`python -m worker.reconciler`: every few seconds, queue dropped objects that no event announced.

Events get lost (MinIO caps its queue; moto sends none), so the bucket is scanned as the truth.
Any number of copies may run: the job ids are derived from the objects, so they never duplicate.
"""

from __future__ import annotations

import itertools
import logging
import signal
import sys
import threading

from core import logs
from core.services import Services
from core.settings import load_for_process

UPLOAD_SCAN_EVERY = 12


def main() -> int:
    settings = load_for_process("reconciler")
    logs.configure("reconciler")
    from worker.listing import reconcile

    services = Services.build(settings)
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    for passes in itertools.count():
        if stopping.is_set():
            break
        try:
            # Uploads have events or start calls; their (costlier) scan runs every UPLOAD_SCAN_EVERY passes.
            reconcile(services, uploads=passes % UPLOAD_SCAN_EVERY == 0)
        except Exception:  # noqa: BLE001 - Redis or S3 down: log, wait, try again
            logging.getLogger(__name__).exception("reconcile pass failed; retrying")
        stopping.wait(settings.reconcile_interval_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
