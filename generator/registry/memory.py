"""Pausing Python's cyclic garbage collector around work that allocates without cycles.

A loaded registry is millions of objects: while a step builds many small ones, the cyclic
collector would walk the whole registry again and again (measured: a tenth of the gaps
report's time at 10,000 services, more of the loading).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block, and on again after it if it was on before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
