"""The investigation report as a PDF (fpdf2), from the same view as the HTML report.

A Unicode font with Japanese glyphs is embedded when one is installed (fonts-noto-cjk); without it
the core Helvetica font is used, characters it cannot show become "?", and page one says so in
red, so a degraded PDF is never mistaken for a complete one.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_FAMILY = "report"


class _ReportPDF(FPDF):
    def __init__(self, case_id: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.case_id = case_id
        self.unicode = False
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.font_family, size=8)
        self.cell(0, 6, self.safe(f"sanctrace investigation report {self.case_id} — page {self.page_no()}"),
                  align="C")

    def safe(self, text: object) -> str:
        value = "" if text is None else str(text)
        if self.unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1").replace("—", "-")


def _heading(pdf: _ReportPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(pdf.font_family, size=12)
    pdf.set_fill_color(230, 230, 230)
    pdf.cell(0, 7, pdf.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, fill=True)
    pdf.set_font(pdf.font_family, size=8)
    pdf.ln(1)


def _line(pdf: _ReportPDF, text: str, size: float = 8) -> None:
    pdf.set_font(pdf.font_family, size=size)
    pdf.multi_cell(0, 4.2, pdf.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: _ReportPDF, header: list[str], rows: list[list[Any]], widths: tuple[int, ...]) -> None:
    pdf.set_font(pdf.font_family, size=7)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=3.6, first_row_as_headings=True) as table:
        row = table.row()
        for cell in header:
            row.cell(pdf.safe(cell))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(pdf.safe("" if value is None else value))


def build_pdf(data: dict[str, Any], font: Path | None) -> bytes:
    case = data["case"]
    pdf = _ReportPDF(case["case_id"])
    if font is not None:
        pdf.add_font(_FAMILY, "", str(font))
        bold = font.with_name(font.name.replace("Regular", "Bold"))
        pdf.add_font(_FAMILY, "B", str(bold if bold.is_file() and bold != font else font))
        pdf.set_font(_FAMILY, size=9)
        pdf.unicode = True
    else:
        pdf.set_font("helvetica", size=9)
    pdf.add_page()
    pdf.set_font(pdf.font_family, size=16)
    pdf.cell(0, 10, pdf.safe(f"Investigation report — {case['case_id']}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if font is None:
        pdf.set_text_color(165, 15, 21)
        _line(pdf, "No font with Japanese glyphs is installed (apt-get install fonts-noto-cjk): characters "
                   "outside Latin-1 are shown as '?'. Use the HTML report for the full text.", 9)
        pdf.set_text_color(0, 0, 0)
    status = f"Status {case['status']}"
    if case["disposition"]:
        status += f", disposition {case['disposition']}"
    if case["awaiting_approval"]:
        status += f", close ({case['pending_disposition']}) awaiting a second user's approval"
    _line(pdf, f"Generated {data['generated_at']} by sanctrace {data['version']}. {status}. Severity "
               f"{case['severity']}, score {case['score']:.2f}. Assignee: {case['assignee'] or '-'}.", 9)

    subject = data["subject"]
    _heading(pdf, "Subject")
    name = subject.name or "-"
    if subject.name_kana:
        name += f" ({subject.name_kana})"
    _table(pdf, ["Field", "Value"], [
        ["Subject", f"{subject.subject_type} {subject.subject_id}"], ["Kind", subject.kind], ["Name", name],
        ["Customer / accounts", f"{subject.customer_id or '-'} / {', '.join(subject.account_ids) or '-'}"],
        ["Country", subject.country], ["Birth date", subject.birth_date], ["Occupation", subject.occupation],
        ["Facts from", ", ".join(subject.sources) or "the alerts only"],
    ], (40, 140))

    _heading(pdf, f"Alerts ({len(data['alerts'])})")
    _table(pdf, ["When (UTC)", "Rule", "Severity", "Score", "Explanation"], [
        [a["occurred_at"][:19], f"{a['rule_id']} v{a['rule_version']}", a["severity"], f"{a['score']:.2f}",
         a["explanation"]] for a in data["alerts"]], (28, 40, 16, 12, 84))

    _heading(pdf, "Evidence")
    if data["list_hits"]:
        _table(pdf, ["Entry", "Name", "Programs", "List version"], [
            [h["entity_id"], h["name"], h["programs"], h["list_version"]] for h in data["list_hits"]],
            (30, 60, 50, 40))
    for verdict in data["ownership_verdicts"]:
        _line(pdf, f"Ownership verdict: {verdict}")
    for path in data["ownership_paths"]:
        _line(pdf, f"Ownership path: {path}")
    if data["transfers"]:
        pdf.ln(1)
        _table(pdf, ["When (UTC)", "Direction", "Amount", "txid:vout", "Address", "Counterparty"], [
            [t["occurred_at"][:19], t["direction"], t["amount"],
             f"{t['txid'] or '-'}:{'' if t['vout'] is None else t['vout']}", t["address"], t["counterparty"]]
            for t in data["transfers"]], (24, 14, 26, 50, 33, 33))
    for item in data["other_evidence"]:
        _line(pdf, f"{item['key']}: {item['value']}", 7)

    _heading(pdf, "Fund flow")
    if data["graph_bytes"]:
        pdf.image(io.BytesIO(data["graph_bytes"]), w=min(180, pdf.epw))
        _line(pdf, f"Drawn from {data['graph_source']}.", 7)
    else:
        _line(pdf, "No chain trace evidence in this case.")

    _heading(pdf, "Notes and attachments")
    for note in data["notes"]:
        _line(pdf, f"{note['author']} ({note['created_at']}): {note['text']}")
    for att in data["attachments"]:
        _line(pdf, f"Attachment {att['filename']} ({att['size']} bytes) sha256 {att['sha256']} by {att['added_by']}")
    if not data["notes"] and not data["attachments"]:
        _line(pdf, "None.")

    _heading(pdf, "Decision trail")
    audit = data["audit"]
    _line(pdf, f"Audit chain: verified ({audit['events']} events, head {audit['head_hash'][:16]}...)"
          if audit["ok"] else f"Audit chain: FAILED - {audit['problem']}")
    _table(pdf, ["#", "Time (UTC)", "Actor", "Action", "Details"], [
        [e["seq"], e["time"][:19], e["actor"], e["action"], e["details"][:300]] for e in data["trail"]],
        (8, 28, 20, 28, 96))
    return bytes(pdf.output())
