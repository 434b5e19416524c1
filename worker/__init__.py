"""RQ workers: fetch each uploaded object, check it, extract its text, count, store the result."""

import os

# numpy (under the language model, worker.language) starts OpenBLAS with a thread per core, and the
# model's products are small: the spare threads only spin. With one, a 3 KB text's detection takes
# 1.5 CPU-ms instead of 2.3 (and 1.5 ms of wall time instead of ~4 on a busy machine). It must be set
# before numpy loads; an operator's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
