"""A short, seeded run of the codec fuzz target (bench/fuzz_codec.py): damaged messages are read or refused with
readable problems, never crash, and what is accepted round-trips unchanged. Longer runs: see the script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("fuzz_codec",
                                               Path(__file__).resolve().parents[2] / "bench" / "fuzz_codec.py")
fuzz_codec = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fuzz_codec)


@pytest.mark.parametrize("seed", [1, 2])
def test_damaged_messages_are_refused_or_read_never_crash(seed, tmp_path):
    result = fuzz_codec.run(0, seed, iterations=3000, crash_dir=tmp_path / "crashes", progress=False)
    assert result["crashes"] == 0, sorted((tmp_path / "crashes").iterdir())
    assert result["refused"] > 0 and result["accepted"] > 0  # the damage is neither always fatal nor always harmless


def test_a_crash_is_reported_and_its_input_saved(tmp_path, monkeypatch):
    def broken_reader(data):
        raise RuntimeError("simulated reader bug")

    monkeypatch.setattr(fuzz_codec, "lees", broken_reader)
    result = fuzz_codec.run(0, 3, iterations=5, crash_dir=tmp_path, progress=False)
    assert result["crashes"] == 5 and len(list(tmp_path.iterdir())) >= 1
