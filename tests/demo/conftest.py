from __future__ import annotations

import pytest

from sanctrace.model.list_entry import ListEntry


@pytest.fixture(scope="session")
def sdn_entries() -> list[ListEntry]:
    """The shipped OFAC snapshot, parsed once for all demo tests."""
    from sanctrace.demo.generate import shipped_entries

    return shipped_entries()
