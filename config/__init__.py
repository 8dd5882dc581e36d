"""Project configuration; importing the Celery app here makes @shared_task bind to it."""

import os

# numpy asks the kernel for transparent huge pages for large arrays; with THP in "madvise" mode the kernel then
# compacts memory synchronously to find them, and fresh large arrays cost several times their computation: a scoring
# run of 520,000 firms spent 2.8 s of CPU instead of 2.0 s on its report figures, 1.2 s instead of 0.7 s on the engine
# (bench/score_bench.py). Read when numpy is first imported, so set here, before any app imports it.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from .celery_app import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
