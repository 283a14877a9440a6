/* sanctrace analyst UI: a small single-page app over the HTTP API.
 *
 * No framework and no inline script (the CSP forbids it). All text from the server is inserted as
 * text nodes (never innerHTML), because names and addresses come from outside. The token lives in
 * sessionStorage only, and goes out as a Bearer header on every API call.
 */
"use strict";

const S = { token: sessionStorage.getItem("sanctrace.token"), me: null, lang: localStorage.getItem("sanctrace.lang") || "en",
            dict: {}, graphs: {}, charts: [], routeSeq: 0 };
window.sanctrace = S; // lets the browser tests inspect graphs and state

// ---------- DOM and text helpers ----------
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === "i18n") { el.dataset.i18n = v; el.textContent = t(v); }
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}
function t(key) { return S.dict[key] || key; }
function tx(key) { return h("span", { i18n: key }); }
async function loadLang(lang) {
  const r = await fetch(`/ui/i18n/${lang}.json`);
  S.dict = await r.json();
  S.lang = lang;
  localStorage.setItem("sanctrace.lang", lang);
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach(el => { el.textContent = t(el.dataset.i18n); });
  document.getElementById("lang").textContent = lang === "en" ? "日本語" : "English";
}
function flash(msg, kind) {
  const el = document.getElementById("flash");
  el.textContent = msg; el.className = kind || ""; el.hidden = !msg;
  if (msg && kind === "info") setTimeout(() => { if (el.textContent === msg) el.hidden = true; }, 3000);
}
function fmtScore(x) { return typeof x === "number" ? x.toFixed(3) : (x ?? ""); }
function fmtTime(x) { return x ? String(x).replace("T", " ").slice(0, 19) : ""; }

// ---------- API ----------
/* A view whose route was left while it waited for data must not paint over the newer view. */
class StaleView extends Error {}
async function api(method, path, body) {
  const seq = S.routeSeq;
  const opts = { method, headers: { Authorization: `Bearer ${S.token}` } };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  if (r.status === 401) { logout(); throw new Error(t("login.failed")); }
  const ct = r.headers.get("content-type") || "";
  const data = ct.includes("json") ? await r.json() : await r.text();
  if (method === "GET" && seq !== S.routeSeq) throw new StaleView(path);
  if (!r.ok) throw new Error((data && data.error) || `HTTP ${r.status}`);
  return data;
}
async function download(path, fallbackName) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${S.token}` } });
  if (!r.ok) { const d = await r.json().catch(() => ({})); throw new Error(d.error || `HTTP ${r.status}`); }
  const cd = r.headers.get("content-disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(cd);
  const url = URL.createObjectURL(await r.blob());
  const a = h("a", { href: url, download: m ? m[1] : fallbackName });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
function guard(fn) {
  return async (...args) => {
    try { flash(""); await fn(...args); } catch (e) { if (!(e instanceof StaleView)) flash(e.message || String(e)); }
  };
}

// ---------- graphs (Cytoscape.js) ----------
const NODE_COLORS = { subject: "#1f5fbf", customer: "#1f5fbf", party: "#1f5fbf", list_entry: "#b3261e",
  sanctioned: "#b3261e", person: "#6a4c93", company: "#2a9d8f", entity: "#2a9d8f", address: "#e9a23b",
  tx: "#8d99ae", mining: "#7f4f24", pool: "#7f4f24", mixer: "#9b2226", exchange: "#0a9396", other: "#5b6575" };
function graphStyle() {
  return [
    { selector: "node", style: { "background-color": ele => NODE_COLORS[ele.data("type")] || NODE_COLORS.other,
      label: "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 140, color: "#1d2430",
      "text-valign": "bottom", "text-margin-y": 4, width: 22, height: 22 } },
    { selector: "node[?flag]", style: { "border-width": 3, "border-color": "#b3261e" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffb703" } },
    { selector: "edge", style: { width: ele => Math.max(1, Math.min(8, ele.data("weight") || 1.5)),
      "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1", "target-arrow-shape": "triangle",
      "curve-style": "bezier", label: "data(label)", "font-size": 9, color: "#5b6575",
      "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
  ];
}
/* elements: {nodes: [{id, label, type, flag, ...}], edges: [{source, target, label, weight, ...}]} */
function drawGraph(name, container, elements, detailsEl) {
  if (S.graphs[name]) { S.graphs[name].destroy(); delete S.graphs[name]; }
  if (!elements.nodes.length) { container.append(h("p", { class: "muted" }, "—")); return null; }
  const ids = new Set(elements.nodes.map(n => n.id));
  const els = [
    ...elements.nodes.map(n => ({ group: "nodes", data: { ...n, label: n.label ?? n.id } })),
    ...elements.edges.filter(e => ids.has(e.source) && ids.has(e.target))
      .map((e, i) => ({ group: "edges", data: { id: `e${i}`, ...e } })),
  ];
  const cy = window.cytoscape({ container, elements: els, style: graphStyle(), wheelSensitivity: 0.3, maxZoom: 1.4, minZoom: 0.1,
    // Funds and ownership flow left to right: breadth-first levels become columns.
    layout: elements.nodes.length > 60 ? { name: "cose", padding: 20 }
      : { name: "breadthfirst", directed: true, padding: 30, spacingFactor: 1.25, transform: (_n, p) => ({ x: p.y, y: p.x }) } });
  cy.on("tap", "node, edge", ev => {
    const d = { ...ev.target.data() };
    if (detailsEl) { detailsEl.textContent = JSON.stringify(d, null, 2); detailsEl.hidden = false; }
  });
  S.graphs[name] = cy;
  return cy;
}
function graphBuilder() {
  const nodes = new Map(), edges = [];
  return {
    node(id, label, type, extra) {
      if (id === undefined || id === null) return;
      id = String(id);
      if (!nodes.has(id)) nodes.set(id, { id, label: label ?? id, type: type || "other", ...(extra || {}) });
      else if (extra) Object.assign(nodes.get(id), extra);
    },
    edge(source, target, label, extra) {
      if (source == null || target == null) return;
      edges.push({ source: String(source), target: String(target), label: label ?? "", ...(extra || {}) });
    },
    done() { return { nodes: [...nodes.values()], edges }; },
  };
}
function short(s) { s = String(s); return s.length > 18 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s; }
function sat(v) { return typeof v === "number" ? `${(v / 1e8).toFixed(8).replace(/0+$/, "").replace(/\.$/, "")} BTC` : ""; }
function pct(x) { return typeof x === "number" ? `${(x * 100).toFixed(1)}%` : (x ?? ""); }

/* Evidence of an alert (keys documented in sanctrace.model.alert) → graph. */
function addEvidence(g, subjectId, ev) {
  if (!ev || typeof ev !== "object") return;
  const le = ev.list_entry;
  if (le) {
    const id = typeof le === "string" ? le : (le.entity_id || le.id);
    const label = typeof le === "string" ? le : (le.name || le.caption || id);
    g.node(id, label, "list_entry", { flag: true, list_version: ev.list_version });
    g.edge(subjectId, id, ev.score !== undefined ? `match ${fmtScore(ev.score)}` : "match");
  }
  for (const hop of ev.ownership_path || []) {
    g.node(hop.from, hop.from_name || hop.from, "company");
    g.node(hop.to, hop.to_name || hop.to, "company");
    g.edge(hop.from, hop.to, hop.share !== undefined ? pct(hop.share) : "owns");
  }
  for (const path of ev.paths || []) {
    for (const hop of Array.isArray(path) ? path : (path.hops || [])) {
      g.node(hop.from, short(hop.from), hop.from_type || (String(hop.from).startsWith("coinbase:") ? "mining" : "address"),
        hop.from_category ? { category: hop.from_category } : null);
      g.node(hop.to, short(hop.to), hop.to_type || "address");
      g.edge(hop.from, hop.to, sat(hop.value_sat), { txid: hop.txid, weight: 2 });
    }
  }
  const tr = ev.transfer;
  if (tr && tr.address) {
    g.node(tr.address, short(tr.address), "address");
    if (tr.direction === "withdrawal") g.edge(subjectId, tr.address, sat(tr.amount_sat), { txid: tr.txid });
    else g.edge(tr.address, subjectId, sat(tr.amount_sat), { txid: tr.txid });
  }
}

// ---------- views ----------
const view = () => document.getElementById("view");
/* replaceChildren that, like h(), flattens arrays and skips null/false (no stray "null" text). */
function fill(el, ...kids) {
  el.replaceChildren(...kids.flat(2).filter(k => k !== null && k !== undefined && k !== false)
    .map(k => (k instanceof Node ? k : document.createTextNode(String(k)))));
}
function setView(...kids) { for (const c of S.charts) c.destroy(); S.charts = [];
  for (const k of Object.keys(S.graphs)) { S.graphs[k].destroy(); delete S.graphs[k]; }
  fill(view(), ...kids); }

function loginView() {
  const input = h("input", { type: "password", id: "token", class: "wide", autocomplete: "off", required: true });
  const form = h("form", { class: "card login", on: { submit: guard(async ev => {
    ev.preventDefault();
    S.token = input.value.trim();
    try { S.me = await api("GET", "/me"); } catch (e) { S.token = null; throw e; }
    sessionStorage.setItem("sanctrace.token", S.token);
    showChrome();
    location.hash = "#/alerts";
  }) } },
  h("h1", { i18n: "login.title" }), h("label", { for: "token", i18n: "login.token" }), h("div", { class: "row" }, input,
    h("button", { type: "submit", id: "login-submit", i18n: "login.submit" })), h("p", { class: "muted", i18n: "login.help" }));
  setView(form);
  input.focus();
}

async function alertsView() {
  const openOnly = sessionStorage.getItem("sanctrace.openOnly") === "1";
  const alerts = await api("GET", `/alerts?limit=500${openOnly ? "&open_only=true" : ""}`);
  const toggle = h("input", { type: "checkbox", id: "open-only", checked: openOnly, on: { change: ev => {
    sessionStorage.setItem("sanctrace.openOnly", ev.target.checked ? "1" : "0"); alertsView(); } } });
  const rows = alerts.map(a => h("tr", { class: "click", "data-alert": a.alert_id, on: { click: () => { location.hash = `#/alerts/${a.alert_id}`; } } },
    h("td", {}, fmtTime(a.occurred_at)), h("td", {}, a.rule_id), h("td", { class: `sev-${a.severity}` }, a.severity),
    h("td", {}, `${a.subject_type}:${a.subject_id}`), h("td", {}, fmtScore(a.score)), h("td", {}, a.case_id || ""),
    h("td", {}, a.explanation)));
  setView(h("h1", { i18n: "alerts.title" }), h("label", { class: "row" }, toggle, h("span", { i18n: "alerts.open_only" })),
    alerts.length ? h("table", { id: "alerts" }, h("thead", {}, h("tr", {}, ...["alerts.occurred", "alerts.rule", "alerts.severity",
      "alerts.subject", "alerts.score", "alerts.case", "alerts.explanation"].map(k => h("th", { i18n: k })))), h("tbody", {}, rows))
      : h("p", { i18n: "alerts.empty" }));
}

async function alertView(id) {
  const a = await api("GET", `/alerts/${encodeURIComponent(id)}`);
  const subject = `${a.subject_type}:${a.subject_id}`;
  const g = graphBuilder();
  g.node(subject, a.subject_id, "subject");
  addEvidence(g, subject, a.evidence);
  const box = h("div", { class: "graph", id: "evidence-graph" });
  const details = h("pre", { id: "graph-details", hidden: true });
  setView(h("h1", {}, `${a.rule_id} — ${a.subject_id}`),
    h("div", { class: "card" }, h("dl", { class: "kv" },
      h("dt", { i18n: "alerts.severity" }), h("dd", { class: `sev-${a.severity}` }, a.severity),
      h("dt", { i18n: "alerts.score" }), h("dd", {}, fmtScore(a.score)),
      h("dt", { i18n: "alerts.occurred" }), h("dd", {}, fmtTime(a.occurred_at)),
      h("dt", { i18n: "alerts.explanation" }), h("dd", {}, a.explanation),
      h("dt", { i18n: "alerts.case" }), h("dd", {}, a.case_id ? h("a", { href: `#/cases/${a.case_id}`, id: "open-case", i18n: "alerts.open_case" }) : "—"))),
    h("h2", { i18n: "alerts.graph" }), box, details,
    h("h2", { i18n: "alerts.evidence" }), h("pre", {}, JSON.stringify(a.evidence, null, 2)));
  drawGraph("evidence", box, g.done(), details);
}

async function casesView() {
  const cases = await api("GET", "/cases?limit=500");
  setView(h("h1", { i18n: "cases.title" }), h("table", { id: "cases" },
    h("thead", {}, h("tr", {}, ...["cases.case", "cases.status", "alerts.severity", "alerts.subject", "cases.assignee", "cases.opened"]
      .map(k => h("th", { i18n: k })))),
    h("tbody", {}, cases.map(c => h("tr", { class: "click", on: { click: () => { location.hash = `#/cases/${c.case_id}`; } } },
      h("td", {}, c.case_id), h("td", {}, c.status), h("td", { class: `sev-${c.severity}` }, c.severity),
      h("td", {}, `${c.subject_type}:${c.subject_id}`), h("td", {}, c.assignee || ""), h("td", {}, fmtTime(c.opened_at)))))));
}

async function caseView(id) {
  const d = await api("GET", `/cases/${encodeURIComponent(id)}`);
  const c = d; // the case file: case fields plus alerts, notes, attachments and trail
  const subject = `${c.subject_type}:${c.subject_id}`;
  const g = graphBuilder();
  g.node(subject, c.subject_id, "subject");
  for (const a of d.alerts) addEvidence(g, subject, a.evidence);
  const box = h("div", { class: "graph", id: "case-graph" });
  const details = h("pre", { id: "graph-details", hidden: true });
  const act = (path, body) => guard(async () => { await api("POST", `/cases/${encodeURIComponent(id)}/${path}`, body && body());
    flash(t("common.saved"), "info"); await caseView(id); });
  const note = h("textarea", { id: "note-text", rows: 2, cols: 60 });
  const disp = h("select", { id: "disposition" }, ["reported", "true_positive", "false_positive"].map(v => h("option", { value: v }, v)));
  const reason = h("input", { id: "close-reason", class: "wide" });
  const closed = c.status === "closed";
  setView(
    h("h1", {}, `${t("cases.case")} ${c.case_id} — `, h("a", { href: `#/entity/${encodeURIComponent(c.subject_id)}`, id: "case-subject" }, c.subject_id)),
    h("div", { class: "card" }, h("dl", { class: "kv", id: "case-summary" },
      h("dt", { i18n: "cases.status" }), h("dd", { id: "case-status" }, c.status),
      h("dt", { i18n: "alerts.severity" }), h("dd", { class: `sev-${c.severity}` }, c.severity),
      h("dt", { i18n: "cases.assignee" }), h("dd", {}, c.assignee || "—"),
      h("dt", { i18n: "cases.disposition" }), h("dd", { id: "case-disposition" }, c.disposition || c.pending_disposition || "—"),
      c.pending_disposition ? [h("dt", { i18n: "cases.pending" }), h("dd", { id: "case-pending" }, `${c.pending_disposition} (${c.close_requested_by})`)] : null,
      c.approved_by ? [h("dt", { i18n: "cases.approve" }), h("dd", { id: "case-approved" }, c.approved_by)] : null)),
    h("div", { class: "card" }, h("h2", { i18n: "cases.decision" }),
      h("div", { class: "row" },
        h("button", { id: "assign-me", disabled: closed, on: { click: act("assign", () => ({ assignee: S.me.name })) }, i18n: "cases.assign_me" }),
        h("button", { id: "escalate", disabled: closed, on: { click: act("escalate", () => ({ reason: reason.value || "escalated from UI" })) }, i18n: "cases.escalate" })),
      h("div", { class: "row" }, h("label", { i18n: "cases.disposition" }), disp, h("label", { i18n: "cases.reason" }), reason,
        h("button", { id: "close-case", disabled: closed || !!c.pending_disposition, on: { click: act("close", () => ({ disposition: disp.value, reason: reason.value })) }, i18n: "cases.close" }),
        h("button", { id: "approve", disabled: !c.pending_disposition || !S.me.permissions.includes("case.approve"),
          on: { click: act("approve", () => ({})) }, i18n: "cases.approve" })),
      h("div", { class: "row" },
        h("button", { id: "download-str", class: "secondary", on: { click: guard(() => download(`/cases/${encodeURIComponent(id)}/str?format=goaml`, `str-${id}.xml`)) }, i18n: "cases.download_str" }),
        h("button", { id: "download-jp", class: "secondary", on: { click: guard(() => download(`/cases/${encodeURIComponent(id)}/str?format=jp-csv`, `str-${id}.csv`)) }, i18n: "cases.download_jp" }))),
    h("h2", { i18n: "alerts.graph" }), box, details,
    h("h2", { i18n: "cases.alerts" }), h("table", {}, h("tbody", {}, d.alerts.map(a => h("tr", { class: "click", on: { click: () => { location.hash = `#/alerts/${a.alert_id}`; } } },
      h("td", {}, a.rule_id), h("td", { class: `sev-${a.severity}` }, a.severity), h("td", {}, fmtScore(a.score)), h("td", {}, a.explanation))))),
    h("h2", { i18n: "cases.notes" }),
    h("ul", { id: "notes" }, d.notes.map(n => h("li", {}, h("span", { class: "muted" }, `${fmtTime(n.created_at)} ${n.author}: `), n.text))),
    h("div", { class: "row" }, note, h("button", { id: "add-note", disabled: closed, on: { click: act("notes", () => ({ text: note.value })) }, i18n: "cases.add_note" })),
    d.attachments.length ? [h("h2", { i18n: "cases.attachments" }), h("ul", {}, d.attachments.map(x => h("li", {}, `${x.filename} (${x.size} B, sha256 ${short(x.sha256)})`)))] : null,
    h("h2", { i18n: "cases.trail" }),
    h("table", { id: "trail" }, h("tbody", {}, d.trail.map(e => h("tr", {}, h("td", {}, e.seq), h("td", {}, fmtTime(e.time)), h("td", {}, e.actor),
      h("td", {}, e.action), h("td", { class: "muted" }, JSON.stringify(e.details)))))));
  drawGraph("case", box, g.done(), details);
}

function screenView() {
  const name = h("input", { id: "screen-name", class: "wide", required: true, autocomplete: "off" });
  const kind = h("select", { id: "screen-kind" }, h("option", { value: "", i18n: "screen.any" }), h("option", { value: "person", i18n: "screen.person" }),
    h("option", { value: "company", i18n: "screen.company" }));
  const out = h("div", { id: "screen-results" });
  const form = h("form", { class: "row", on: { submit: guard(async ev => {
    ev.preventDefault();
    const body = { name: name.value };
    if (kind.value) body.kind = kind.value;
    const r = await api("POST", "/screen", body);
    const matches = r.matches || [];
    const nexus = r.russia_nexus || [];
    fill(out, 
      h("h2", { i18n: "screen.matches" }),
      matches.length ? h("table", { id: "matches" }, h("thead", {}, h("tr", {}, ...["screen.entity", "alerts.score", "screen.features", "screen.programs", "screen.version"].map(k => h("th", { i18n: k })))),
        h("tbody", {}, matches.map(m => h("tr", { class: "match" },
          h("td", {}, h("a", { href: `#/entity/${encodeURIComponent(m.entity_id)}` }, m.entity_id), h("br"), m.name || "",
            m.matched_on && m.matched_on !== "name" ? h("span", { class: "pill" }, m.matched_on) : null),
          h("td", { class: "score" }, fmtScore(m.score)),
          h("td", { class: "features" }, (Array.isArray(m.features) ? m.features.map(f => [f.name || f, f.score]) : Object.entries(m.features || {}))
            .map(([f, v]) => h("span", { class: "pill", title: f }, v !== undefined ? `${f} ${fmtScore(v)}` : f))),
          h("td", {}, (m.programs || []).map(p => h("span", { class: "pill" }, p))),
          h("td", { class: "muted" }, m.list_version || r.list_version || "")))))
        : h("p", { id: "no-match", i18n: "screen.none" }),
      nexus.length ? [h("h2", { i18n: "screen.nexus" }), h("ul", { id: "nexus" }, nexus.map(n => h("li", {}, typeof n === "string" ? n : `${n.reason}: ${n.value ?? ""}`)))] : null);
  }) } }, name, kind, h("button", { type: "submit", id: "screen-submit", i18n: "screen.search" }));
  setView(h("h1", { i18n: "screen.title" }), h("label", { for: "screen-name", i18n: "screen.name" }), form, out);
  name.focus();
}

async function entityView(id) {
  const input = h("input", { id: "entity-id", class: "wide", value: id || "" });
  const regime = h("select", { id: "regime" }, ["ofac", "eu", "uk", "jp"].map(r => h("option", { value: r }, r)));
  const out = h("div", {});
  const show = guard(async () => {
    const pid = input.value.trim();
    if (!pid) return;
    if (location.hash !== `#/entity/${encodeURIComponent(pid)}`) history.replaceState(null, "", `#/entity/${encodeURIComponent(pid)}`);
    const [own, net] = await Promise.all([
      api("GET", `/ownership/${encodeURIComponent(pid)}?regime=${regime.value}`).catch(e => ({ error: e.message })),
      api("GET", `/networks/${encodeURIComponent(pid)}`).catch(e => ({ error: e.message })),
    ]);
    const og = h("div", { class: "graph", id: "ownership-graph" }), ng = h("div", { class: "graph", id: "network-graph" });
    const details = h("pre", { id: "graph-details", hidden: true });
    fill(out, 
      h("div", { class: "card", id: "verdict" }, h("strong", { i18n: "entity.verdict" }), ": ",
        own.error ? h("span", { class: "muted" }, own.error)
          : h("span", { class: own.blocked || own.listed ? "blocked" : "ok", i18n: own.blocked || own.listed ? "entity.blocked" : "entity.not_blocked" }),
        own.status ? h("span", { class: "pill", id: "verdict-status" }, own.status) : "",
        own.share ? ` ${pct(own.share.certain)}${own.share.possible !== own.share.certain ? ` – ${pct(own.share.possible)}` : ""}` : "", h("ul", {}, (own.reasons || []).map(r => h("li", {}, typeof r === "string" ? r : JSON.stringify(r))))),
      h("div", { class: "grid2" }, h("div", {}, h("h2", { i18n: "entity.ownership" }), og), h("div", {}, h("h2", { i18n: "entity.network" }), net.error ? h("p", { class: "muted" }, net.error) : ng)),
      details);
    drawGraph("ownership", og, own.graph || ownershipGraph(pid, own), details);
    if (!net.error) drawGraph("network", ng, net.graph || networkGraph(pid, net), details);
  });
  setView(h("h1", { i18n: "entity.title" }), h("form", { class: "row", on: { submit: ev => { ev.preventDefault(); show(); } } },
    h("label", { i18n: "entity.id" }), input, h("label", { i18n: "entity.regime" }), regime, h("button", { type: "submit", id: "entity-show", i18n: "entity.show" })), out);
  if (id) await show();
}
function ownershipGraph(pid, v) {
  // Verdict paths: {root, root_name, chain: [{owner, owner_name, asset, asset_name, share_min, share_max, relation}]}
  const g = graphBuilder();
  g.node(pid, v.name || pid, "company", { flag: !!v.blocked, status: v.status });
  for (const p of v.paths || []) {
    if (p.root) g.node(p.root, p.root_name || p.root, "list_entry", { flag: true, listing: p.root_listing });
    for (const s of p.chain || []) {
      g.node(s.owner, s.owner_name || s.owner, s.owner === p.root ? "list_entry" : "company");
      g.node(s.asset, s.asset_name || s.asset, "company");
      const share = s.share_min === s.share_max ? pct(s.share_min) : `${pct(s.share_min)}–${pct(s.share_max)}`;
      g.edge(s.owner, s.asset, s.relation && s.relation !== "owns" && s.relation !== "ownership" ? `${s.relation} ${share}` : share,
        { weight: 1 + 6 * (s.share_min || 0) });
    }
  }
  for (const b of v.beneficial_owners || []) {
    const id = b.party_id || b.id; if (!id) continue;
    g.node(id, b.name || id, "person"); g.edge(id, pid, b.share !== undefined ? pct(b.share) : "beneficial owner");
  }
  return g.done();
}
function networkGraph(pid, n) {
  // networks.show: nodes [{party_id, name, kind, is_customer, listed}], edges [{a, b, kind, evidence}]
  const g = graphBuilder();
  for (const m of n.nodes || []) {
    const type = m.listed && m.listed.length ? "list_entry" : (m.is_customer ? "customer" : (m.kind === "person" ? "person" : "company"));
    g.node(m.party_id, m.name || m.party_id, type, { flag: !!(m.listed && m.listed.length), listed: m.listed, jurisdiction: m.jurisdiction });
  }
  g.node(pid, pid, "customer");
  for (const e of n.edges || []) g.edge(e.a, e.b, e.kind.replace(/^shared_/, ""), { evidence: e.evidence });
  return g.done();
}

async function traceView(start) {
  const input = h("input", { id: "trace-start", class: "wide", value: start || "" });
  const dir = h("select", { id: "trace-direction" }, h("option", { value: "back", i18n: "trace.back" }), h("option", { value: "forward", i18n: "trace.forward" }));
  const hops = h("input", { id: "trace-hops", type: "number", min: 1, max: 12, value: 4 });
  const method = h("select", { id: "trace-method" }, ["haircut", "poison", "fifo"].map(m => h("option", { value: m }, m)));
  const out = h("div", {});
  const run = guard(async () => {
    const s = input.value.trim();
    if (!s) return;
    const r = await api("GET", `/chain/trace?start=${encodeURIComponent(s)}&direction=${dir.value}&hops=${hops.value}&method=${method.value}`);
    const box = h("div", { class: "graph", id: "trace-graph" });
    const details = h("pre", { id: "graph-details", hidden: true });
    const exp = r.exposure || r.breakdown || [];
    fill(out, h("h2", { i18n: "trace.exposure" }), h("ul", { id: "trace-summary" }, (r.summary || []).map(x => h("li", {}, x))),
      h("table", { id: "exposure" }, h("tbody", {}, (Array.isArray(exp) ? exp : Object.entries(exp).map(([k, v]) => ({ category: k, share: v })))
        .map(e => h("tr", {}, h("td", {}, e.category || ""), h("td", { class: e.sanctioned || e.russia_mining_nexus ? "blocked" : "" }, e.label || e.entity || ""), h("td", {}, pct(e.share)), h("td", {}, sat(e.value_sat)))))),
      box, details);
    drawGraph("trace", box, traceGraph(r), details);
  });
  setView(h("h1", { i18n: "trace.title" }), h("form", { class: "row", on: { submit: ev => { ev.preventDefault(); run(); } } },
    h("label", { i18n: "trace.start" }), input, h("label", { i18n: "trace.direction" }), dir, h("label", { i18n: "trace.hops" }), hops,
    h("label", { i18n: "trace.method" }), method, h("button", { type: "submit", id: "trace-run", i18n: "trace.run" })), out);
  if (start) await run();
}
function traceGraph(r) {
  // chain.trace: graph {nodes: [{id, type: tx|entity, category, label, sanctioned, russia_mining_nexus, start}],
  // edges: [{source, target, share, value_sat, hop}]}; paths tie each terminal entity to its last transaction.
  const g = graphBuilder();
  const back = r.direction === "back";
  for (const n of (r.graph && r.graph.nodes) || []) {
    const flag = !!(n.sanctioned || n.russia_mining_nexus);
    if (n.type === "tx") g.node(n.id, short(n.id), n.start ? "subject" : "tx", { txid: n.id });
    else g.node(n.id, `${n.label || n.id} ${pct(n.share)}`, n.russia_mining_nexus ? "mining" : (n.sanctioned ? "sanctioned" : (n.category || "other")),
      { flag, category: n.category, share: n.share });
  }
  for (const e of (r.graph && r.graph.edges) || []) g.edge(e.source, e.target, sat(e.value_sat), { share: e.share, hop: e.hop, weight: 1 + 6 * (e.share || 0) });
  for (const p of r.paths || []) {
    const last = p.txids[p.txids.length - 1];
    const ent = `${p.category}:${p.entity}`;
    if (back) g.edge(ent, last, pct(p.share), { weight: 1 + 6 * p.share }); else g.edge(last, ent, pct(p.share), { weight: 1 + 6 * p.share });
  }
  return g.done();
}

async function dashboardView() {
  const d = await api("GET", "/dashboard");
  const c1 = h("canvas", { id: "chart-alerts" }), c2 = h("canvas", { id: "chart-exposure" }), c3 = h("canvas", { id: "chart-volume" });
  setView(h("h1", { i18n: "dash.title" }), h("p", {}, h("span", { i18n: "dash.open_cases" }), `: ${d.open_cases}`),
    h("div", { class: "grid2" }, h("div", {}, h("h2", { i18n: "dash.alerts" }), h("div", { class: "chart" }, c1)),
      h("div", {}, h("h2", { i18n: "dash.exposure" }), h("div", { class: "chart" }, c2)),
      h("div", {}, h("h2", { i18n: "dash.volume" }), h("div", { class: "chart" }, c3))));
  const days = [...new Set(d.alerts_per_rule_per_day.map(x => x.day))].sort();
  const rules = [...new Set(d.alerts_per_rule_per_day.map(x => x.rule_id))].sort();
  const palette = ["#1f5fbf", "#b3261e", "#2a9d8f", "#e9a23b", "#6a4c93", "#7f4f24", "#0a9396", "#9b2226", "#5b6575", "#3a86ff"];
  const opts = { responsive: true, maintainAspectRatio: false, animation: false,
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };
  S.charts.push(new window.Chart(c1, { type: "bar", options: { ...opts, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    data: { labels: days, datasets: rules.map((r, i) => ({ label: r, backgroundColor: palette[i % palette.length],
      data: days.map(day => (d.alerts_per_rule_per_day.find(x => x.day === day && x.rule_id === r) || { count: 0 }).count) })) } }));
  S.charts.push(new window.Chart(c2, { type: "bar", options: opts, data: { labels: d.exposure_distribution.buckets,
    datasets: Object.entries(d.exposure_distribution.series).map(([name, counts], i) => ({ label: name,
      backgroundColor: palette[(i + 3) % palette.length], data: counts })) } }));
  const vdays = [...new Set(d.screening_volume.map(x => x.day))].sort();
  S.charts.push(new window.Chart(c3, { type: "bar", options: opts, data: { labels: vdays,
    datasets: [{ label: t("dash.volume"), backgroundColor: "#1f5fbf", data: vdays.map(day => d.screening_volume.filter(x => x.day === day).reduce((s, x) => s + x.count, 0)) }] } }));
}

// ---------- router ----------
function logout() { S.token = null; S.me = null; sessionStorage.removeItem("sanctrace.token"); showChrome(); location.hash = "#/login"; }
function showChrome() {
  const on = !!S.me;
  document.getElementById("nav").hidden = !on;
  document.getElementById("logout").hidden = !on;
  document.getElementById("who").textContent = on ? `${S.me.name} (${S.me.role})` : "";
}
const ROUTES = [
  [/^#\/alerts\/(.+)$/, m => alertView(decodeURIComponent(m[1]))],
  [/^#\/alerts$/, () => alertsView()],
  [/^#\/cases\/(.+)$/, m => caseView(decodeURIComponent(m[1]))],
  [/^#\/cases$/, () => casesView()],
  [/^#\/screen$/, () => screenView()],
  [/^#\/entity(?:\/(.+))?$/, m => entityView(m[1] ? decodeURIComponent(m[1]) : "")],
  [/^#\/trace(?:\/(.+))?$/, m => traceView(m[1] ? decodeURIComponent(m[1]) : "")],
  [/^#\/dashboard$/, () => dashboardView()],
];
async function route() {
  const hash = location.hash || "#/alerts";
  S.routeSeq += 1;
  if (!S.me) { loginView(); return; }
  document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", hash.startsWith(a.getAttribute("href"))));
  for (const [re, fn] of ROUTES) {
    const m = re.exec(hash);
    if (m) { flash(""); setView(h("p", { class: "muted", i18n: "common.loading" })); await guard(fn)(m); return; }
  }
  location.hash = "#/alerts";
}
async function start() {
  await loadLang(S.lang);
  document.getElementById("lang").addEventListener("click", () => loadLang(S.lang === "en" ? "ja" : "en"));
  document.getElementById("logout").addEventListener("click", logout);
  if (S.token) { try { S.me = await api("GET", "/me"); } catch { S.me = null; } }
  showChrome();
  window.addEventListener("hashchange", route);
  await route();
  document.body.dataset.ready = "1";
}
document.addEventListener("DOMContentLoaded", start);
