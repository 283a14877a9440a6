"""The investigation report of a case, as HTML (jinja2) and PDF (fpdf2).

Both render the same view (:func:`view`): the subject, the alerts, the evidence (list entries with
their list version, ownership paths, transfers), the fund-flow graph, notes and attachments, and
the decision trail from the audit log together with the result of verifying the chain. The PDF
needs a font with Japanese glyphs (names and addresses may be in any script); it looks for one
through fontconfig and, if none is installed, falls back to a core font and says so on page one.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import jinja2

from sanctrace import __version__
from sanctrace.cases.audit import AuditLog
from sanctrace.engine.base import Engine
from sanctrace.reports.facts import CaseFacts, format_btc, gather
from sanctrace.reports.flowgraph import edges_from, render_png, trace_edges

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)


def _ownership(path: Any) -> str | None:
    if not isinstance(path, list) or not path:
        return None
    parts: list[str] = []
    for hop in path:
        if not isinstance(hop, dict):
            return None
        if not parts:
            parts.append(str(hop.get("from")))
        share = hop.get("share")
        pct = f" {float(share) * 100:.0f}%" if isinstance(share, int | float) else ""
        parts.append(f"—{pct}→ {hop.get('to')}")
    return " ".join(parts)


def _verdict_paths(engine: Engine, party_ids: list[str]) -> tuple[list[str], list[str]]:
    """Ownership verdicts stored by the ownership capability for the subject: status lines and paths."""
    if not engine.table_exists("ownership_verdicts"):
        return [], []
    statuses, paths = [], []
    rows = engine.query("SELECT regime, status, verdict_json FROM ownership_verdicts WHERE party_id IN "
                        "(SELECT unnest(?)) ORDER BY regime", [party_ids])
    for regime, status, raw in rows:
        try:
            verdict = json.loads(raw)
        except ValueError:
            continue
        share = verdict.get("share") or {}
        statuses.append(f"{regime}: {status} (blocked share {float(share.get('certain') or 0) * 100:.1f}%"
                        f"{'; ' + '; '.join(verdict.get('reasons') or []) if verdict.get('reasons') else ''})")
        for path in verdict.get("paths") or []:
            chain = path.get("chain") or []
            if not chain:
                continue
            text = f"{path.get('root_name') or path.get('root')}"
            if path.get("root_listing"):
                text += f" [{path['root_listing']}]"
            for step in chain:
                lo, hi = float(step.get("share_min") or 0), float(step.get("share_max") or 0)
                pct = f"{lo * 100:.0f}%" if lo == hi else f"{lo * 100:.0f}–{hi * 100:.0f}%"
                text += f" —{pct} {step.get('relation', '')}→ {step.get('asset_name') or step.get('asset')}"
            paths.append(f"{regime}: {text} (effective {float(path.get('effective_share') or 0) * 100:.1f}%)")
    return statuses, paths


def view(engine: Engine, case_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    facts = gather(engine, case_id)
    return _view(engine, facts, now or datetime.now(UTC))


def _view(engine: Engine, facts: CaseFacts, now: datetime) -> dict[str, Any]:
    file = facts.file
    list_hits, ownership, other = [], [], []
    for alert in file.alerts:
        ev = alert.evidence
        entry = ev.get("list_entry")
        if isinstance(entry, dict):
            list_hits.append({"entity_id": entry.get("entity_id"), "name": entry.get("name"),
                              "programs": ", ".join(map(str, entry.get("programs") or [])),
                              "list_version": ev.get("list_version"), "alert_id": alert.alert_id})
        text = _ownership(ev.get("ownership_path"))
        if text and text not in ownership:
            ownership.append(text)
        for key, value in sorted(ev.items()):
            if key in ("list_entry", "list_version", "ownership_path", "transfer", "paths", "customer"):
                continue
            other.append({"alert_id": alert.alert_id, "key": key,
                          "value": json.dumps(value, ensure_ascii=False, sort_keys=True)})
    party_ids = [i for i in dict.fromkeys([facts.subject.customer_id, file.case.subject_id]) if i]
    verdicts, verdict_paths = _verdict_paths(engine, party_ids)
    ownership += [p for p in verdict_paths if p not in ownership]
    edges = edges_from(file.alerts, facts.transfers)
    graph_source = "alert evidence"
    if not any(isinstance(a.evidence.get("paths"), list) and a.evidence["paths"] for a in file.alerts):
        traced = trace_edges(engine, facts.transfers)
        if traced:
            edges, graph_source = traced, "chain trace at report time (haircut, 5 hops back)"
    highlight = {t.address for t in facts.transfers if t.address}
    png = render_png(edges, highlight=highlight, title=f"Fund flow — {file.case.case_id}")
    log = AuditLog(engine)
    audit = log.verify()
    # The case's own events plus the transfer decisions taken on the subject's accounts/addresses.
    trail = {e.seq: e for e in file.trail}
    for subject_type, ids in (("account", facts.subject.account_ids), ("customer", [facts.subject.customer_id]),
                              ("address", [t.address for t in facts.transfers])):
        for subject_id in dict.fromkeys(i for i in ids if i):
            for event in log.events(subject_type=subject_type, subject_id=subject_id):
                trail.setdefault(event.seq, event)
    return {
        "version": __version__,
        "generated_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "case": file.case.to_dict(),
        "subject": facts.subject,
        "alerts": [a.to_dict() for a in file.alerts],
        "list_hits": list_hits,
        "ownership_paths": ownership,
        "ownership_verdicts": verdicts,
        "transfers": [{
            "occurred_at": t.occurred_at.isoformat(), "event_id": t.event_id, "direction": t.direction,
            "amount": f"{format_btc(t.amount)} {t.asset}", "value_local": t.value_local, "txid": t.txid,
            "vout": t.vout, "address": t.address, "counterparty": ", ".join(t.counterparty_addresses)
            or (t.counterparty_vasp or "")} for t in facts.transfers],
        "other_evidence": other,
        "graph_png": base64.b64encode(png).decode("ascii") if png else None,
        "graph_bytes": png,
        "graph_source": graph_source if png else None,
        "notes": [{"author": n.author, "created_at": n.created_at.isoformat(timespec="seconds"), "text": n.text}
                  for n in file.notes],
        "attachments": [{"filename": a.filename, "sha256": a.sha256, "size": a.size, "added_by": a.added_by,
                         "description": a.description} for a in file.attachments],
        "trail": [{"seq": e.seq, "time": e.time, "actor": e.actor, "action": e.action,
                   "details": json.dumps(e.details, ensure_ascii=False, sort_keys=True), "hash": e.hash}
                  for _, e in sorted(trail.items())],
        "audit": {"ok": audit.ok, "events": audit.events, "head_hash": audit.head_hash, "problem": audit.problem},
    }


def render_html(data: dict[str, Any]) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sanctrace.reports", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("case.html.j2").render(**data)


def find_cjk_font() -> Path | None:
    """A font file with Japanese glyphs: fontconfig's choice, else well-known Debian paths."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=ja"], capture_output=True, text=True,
                                   timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).suffix.lower() in (".ttf", ".otf", ".ttc") and Path(found).is_file() \
                and _has_cjk(found):
            return Path(found)
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def _has_cjk(path: str) -> bool:
    return any(tag in path.lower() for tag in ("cjk", "ipa", "japanese", "gothic", "mincho", "takao"))


def render_pdf(data: dict[str, Any], *, font: Path | Literal["auto"] | None = "auto") -> bytes:
    """``font="auto"`` looks one up; ``None`` forces the core-font fallback."""
    from sanctrace.reports.pdf import build_pdf

    return build_pdf(data, find_cjk_font() if font == "auto" else font)
