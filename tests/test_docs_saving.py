"""The Python examples in docs/saving.md run, in order, and do what the page says."""

import re
from pathlib import Path

import pytest

pytest.importorskip("safetensors")
pytest.importorskip("onnxruntime")
pytest.importorskip("h5py")

PAGE = Path(__file__).resolve().parent.parent / "docs" / "saving.md"


def test_every_python_block_in_the_saving_page_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    assert len(blocks) == 6
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)
    assert "the contents do not match the file's SHA-256 digest" in capsys.readouterr().out
    assert namespace["resumed"].optimizer.iterations == 15 + 9 + 9
