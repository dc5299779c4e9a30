"""The soak, short: kill -9 and Ctrl-C (once or twice) during training and saving, over one
folder; nothing saved is lost or corrupt (tests/soak/soak.py runs the long version)."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("safetensors")


def test_kills_and_interrupts_lose_nothing(tmp_path):
    spec = importlib.util.spec_from_file_location("soak", Path(__file__).parent / "soak" /
                                                  "soak.py")
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    figures = soak.run_soak(tmp_path / "run", rounds=4, seed=1)
    assert figures["kills"] + figures["interrupts"] == 4
    assert figures["kills"] >= 1 and figures["interrupts"] >= 1
    assert figures["files checked"] >= 2 and figures["final step count"] > 0
