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
