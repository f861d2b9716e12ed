"""Event loops for tests that drive async code from a synchronous test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_fresh_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(make())`` in a thread of its own: another test's library (Playwright's
    sync API) may leave the main thread marked as running a loop, which asyncio.run refuses.
    ``make`` builds the coroutine in that thread, so none is left un-awaited on failure."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(make())).result()
