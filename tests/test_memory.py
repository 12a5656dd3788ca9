"""collector_paused: the cyclic collector off inside, as it was outside."""

from __future__ import annotations

import gc

import pytest

from generator.registry.memory import collector_paused


def test_collector_paused_restores_an_enabled_collector() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_collector_paused_leaves_a_paused_collector_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
