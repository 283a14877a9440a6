import io

import pytest

from sanctrace.errors import InputError
from sanctrace.screening.records import read_customers


def test_reads_required_and_optional_columns() -> None:
    text = "id,name,kind,phone\n1,Ivan Petrov,person,+7 916 1\n2,Argut OOO,company,\n"
    rows = list(read_customers(io.StringIO(text), "c.csv"))
    assert [r.id for r in rows] == ["1", "2"]
    assert rows[0].kind == "person" and rows[0].phone == "+7 916 1"
    assert rows[1].kind == "company" and rows[1].phone is None


def test_missing_required_column_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"c\.csv: line 1: missing required column\(s\): name"):
        list(read_customers(io.StringIO("id,full_name\n1,x\n"), "c.csv"))


def test_ragged_row_names_the_line() -> None:
    with pytest.raises(InputError, match=r"c\.csv: line 3: ragged row"):
        list(read_customers(io.StringIO("id,name\n1,a\n2,b,c\n"), "c.csv"))


def test_bad_kind() -> None:
    with pytest.raises(InputError, match="line 2"):
        list(read_customers(io.StringIO("id,name,kind\n1,a,robot\n"), "c.csv"))


def test_latin1_bytes_are_a_user_error(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "latin1.csv"
    path.write_bytes("id,name\n1,Jos\u00e9 Mu\u00f1oz\n".encode("latin-1"))
    with path.open(encoding="utf-8-sig", newline="") as handle, pytest.raises(InputError, match="not UTF-8"):
        list(read_customers(handle, str(path)))


def test_bom_is_accepted() -> None:
    rows = list(read_customers(io.StringIO("\ufeffid,name\n1,a\n"), "c.csv"))
    assert rows[0].id == "1"


def test_empty_file() -> None:
    with pytest.raises(InputError, match="empty file"):
        list(read_customers(io.StringIO(""), "c.csv"))
