from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sanctrace.cases.workflow import CaseWorkflow
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.reports.flowgraph import edges_from, render_png
from sanctrace.reports.investigation import find_cjk_font, render_html, render_pdf, view
from tests.cases.helpers import FROM_ADDRESS, TO_ADDRESS, TXID


@pytest.fixture
def worked(world: DuckDBEngine) -> DuckDBEngine:
    flow = CaseWorkflow(world)
    flow.assign("case-000001", "bob", user="alice")
    flow.note("case-000001", "顧客に電話したが応答なし — клиент не отвечает", user="bob")
    flow.close("case-000001", "reported", "STR filed with JAFIC", user="bob")
    flow.approve("case-000001", user="carol")
    return world


def test_flow_graph_edges_and_png(worked: DuckDBEngine) -> None:
    data = view(worked, "case-000001")
    edges = {(e.source, e.target) for e in edges_from(CaseWorkflow(worked).show("case-000001").alerts, [])}
    assert ("pool:BitRiver coinbase", FROM_ADDRESS) in edges and (FROM_ADDRESS, TO_ADDRESS) in edges
    png = data["graph_bytes"]
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert render_png([]) is None


def test_html_has_every_section(worked: DuckDBEngine) -> None:
    html = render_html(view(worked, "case-000001"))
    for needle in ("Investigation report — case-000001", "山田 太郎", "ヤマダ タロウ", "ofac:36456",
                   "ofac@2025-11-19", "ofac:36456 — 60%→ party:cyprus-holdco — 55%→ cust-0001", TXID,
                   "data:image/png;base64,", "клиент не отвечает", "case.approved", "carol", "verified"):
        assert needle in html, needle
    assert "<script" not in html


def test_html_escapes_user_text(worked: DuckDBEngine) -> None:
    CaseWorkflow(worked).note("case-000001", "<script>alert(1)</script>", user="mallory")
    html = render_html(view(worked, "case-000001"))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_html_reports_a_broken_audit_chain(worked: DuckDBEngine) -> None:
    worked.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    assert "FAILED: event 2" in render_html(view(worked, "case-000001"))


def test_pdf_renders_with_japanese_font(worked: DuckDBEngine, tmp_path: Path) -> None:
    font = find_cjk_font()
    if font is None:
        pytest.skip("no Japanese font installed (scripts/system-deps.sh installs fonts-noto-cjk)")
    pdf = render_pdf(view(worked, "case-000001"), font=font)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    target = tmp_path / "case.pdf"
    target.write_bytes(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
        assert "山田" in text and "case.approved" in text and "Fund flow" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(target), str(tmp_path / "p")],
                       check=True, capture_output=True)
        assert (tmp_path / "p-1.png").stat().st_size > 5000


def test_pdf_without_font_says_so(worked: DuckDBEngine, tmp_path: Path) -> None:
    pdf = render_pdf(view(worked, "case-000001"), font=None)
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        target = tmp_path / "plain.pdf"
        target.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
        assert "No font with Japanese glyphs" in text


def test_stored_ownership_verdict_paths_are_shown(worked: DuckDBEngine) -> None:
    from datetime import datetime

    from sanctrace.ownership import VERDICTS_SCHEMA, verdict_json
    from sanctrace.ownership.verdict import Verdict

    verdict = Verdict(
        party_id="cust-0002", name="山田 太郎", regime="ofac", as_of="2025-03-01", listed=False, blocked=True,
        possibly_blocked=True, status="blocked", share={"certain": 0.51, "possible": 0.51}, lookthrough=0.51,
        near_miss=False, reasons=["51% held by blocked persons"],
        paths=[{"root": "ofac:36456", "root_name": "BITRIVER AG", "root_listing": "SDN RUSSIA-EO14024",
                "effective_share": 0.51, "chain": [
                    {"owner": "ofac:36456", "owner_name": "BITRIVER AG", "asset": "cust-0002",
                     "asset_name": "山田 太郎", "relation": "ownership", "share_min": 0.51, "share_max": 0.51,
                     "origin": "test"}]}])
    worked.execute(VERDICTS_SCHEMA)
    worked.execute("INSERT INTO ownership_verdicts VALUES (?, 'ofac', '2025-03-01', 'blocked', true, true, false, "
                   "false, 0.51, 0.51, 0.51, ?, ?)", ["cust-0002", verdict_json(verdict), datetime(2025, 3, 2)])
    html = render_html(view(worked, "case-000001"))
    assert "ofac: blocked (blocked share 51.0%; 51% held by blocked persons)" in html
    assert "ofac: BITRIVER AG [SDN RUSSIA-EO14024] —51% ownership→ 山田 太郎 (effective 51.0%)" in html


def test_trail_includes_decisions_on_the_subjects_accounts(worked: DuckDBEngine) -> None:
    from sanctrace.cases.audit import AuditLog

    log = AuditLog(worked)
    log.append("decider", "decision.deposit", "account", "acc-0002", {"verdict": "freeze", "event_id": "dep-0001"})
    log.append("decider", "decision.deposit", "account", "acc-0001", {"verdict": "credit"})  # someone else
    actions = [(e["action"], e["details"]) for e in view(worked, "case-000001")["trail"]]
    assert ("decision.deposit", '{"event_id": "dep-0001", "verdict": "freeze"}') in actions
    assert not any('"credit"' in d for _, d in actions)
