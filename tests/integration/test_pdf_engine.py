"""PDF_ENGINE=pypdfium2 through the real stack: the same results as pypdf, fan-out and locks included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.stack import Stack
from tests import builders
from tests.client import Api
from tests.integration.conftest import make_stack


@pytest.fixture(scope="module")
def pdfium_stack(tmp_path_factory) -> Iterator[Stack]:
    stack = make_stack(tmp_path_factory, "pdfium", PDF_ENGINE="pypdfium2")
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def pdfium_api(pdfium_stack: Stack) -> Api:
    return Api(pdfium_stack.base_url)


def test_the_workers_read_pdfs_with_pdfium(pdfium_api):
    # The one known layout where the engines differ (tests/unit/test_pdf_engines.py): pypdf counts 2.
    job = pdfium_api.process("tiny.pdf", builders.make_pdf(["ab\nc"]))
    assert job["status"] == "finished" and job["result"]["words"] == 1, job


def test_a_long_pdf_fans_out_and_assembles_as_with_pypdf(pdfium_api, pdfium_stack):
    pages = [" ".join(["w"] * (n % 7 + 1)) for n in range(230)]
    padding = b"/Padding (" + b"x" * 1400 + b") "  # past fanout.PROBE_BYTES, so the ranges fan out
    job = pdfium_api.process("long.pdf", builders.make_pdf(pages, page_extra=padding), timeout=120)
    assert job["status"] == "finished", job
    assert job["result"]["page_words"] == [n % 7 + 1 for n in range(230)]
    logs = "".join(
        p.read_text(errors="replace") for p in (pdfium_stack.base_dir / "logs").glob("worker-*.log")
    )
    assert {part for part in ("p100", "p200") if f"{job['job_id']}-{part}" in logs} == {"p100", "p200"}


def test_scans_and_locks_end_as_with_pypdf(pdfium_api):
    scan = pdfium_api.process("scan.pdf", builders.make_scanned_pdf(["a text page", None]))
    assert scan["result"]["page_words"] == [3, 0] and scan["result"]["pages_without_text"] == [2]
    locked = pdfium_api.process("locked.pdf", builders.make_encrypted_pdf(["locked words"]))
    assert locked["status"] == "failed" and locked["error"]["code"] == "encrypted_pdf"
    data = builders.make_encrypted_pdf(["open me now"], user_password="", algorithm="AES-256")
    assert pdfium_api.process("open.pdf", data)["result"]["page_words"] == [3]
    cut = pdfium_api.process("cut.pdf", builders.make_truncated_pdf())
    assert cut["status"] == "failed" and cut["error"]["code"] == "corrupt_file"
