"""Reporting-entity profiles: bad files are one-line user errors naming the file and the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.errors import InputError
from sanctrace.reports.entity import load_entity


@pytest.mark.parametrize(("name", "content", "message"), [
    ("latin1.yaml", b"name: Caf\xe9\n", "latin1.yaml: byte 9: not UTF-8 text"),
    ("bad.yaml", b"name: [unclosed\n", "bad.yaml: line 2: not valid YAML: expected ',' or ']'"),
    ("bad.json", b'{"name": \n', "bad.json: line 2: not valid JSON: Expecting value"),
    ("list.yaml", b"- a\n", "list.yaml: expected a mapping of settings"),
])
def test_bad_profiles(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_entity(path)
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: Example Exchange KK\n")
    assert load_entity(path).name == "Example Exchange KK"
