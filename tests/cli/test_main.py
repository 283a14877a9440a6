from __future__ import annotations

from tests.conftest import run_cli


def test_version_and_usage_exit_codes() -> None:
    ok = run_cli("--version")
    assert ok.exit_code == 0 and "sanctrace" in ok.stdout
    bad = run_cli("no-such-command")
    assert bad.exit_code == 2
    assert "Traceback" not in bad.stderr
