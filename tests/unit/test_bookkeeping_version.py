"""worker/bookkeeping.py writes RQ's own records its own way: an RQ upgrade must come with a look at it."""

import rq

from worker.bookkeeping import RQ_VERSION


def test_rq_is_the_release_the_bookkeeping_was_written_for() -> None:
    assert rq.__version__ == RQ_VERSION, "compare worker/bookkeeping.py with the new RQ's Worker first"
