"""Rule files: versioned YAML rule sets, loaded with line marks and checked before anything runs.

A rule file is data, never code: the YAML is read with the safe loader, every condition and every
explanation placeholder goes through our own parser (:mod:`.syntax`), and every name is checked
against the field whitelist (:mod:`.fields`). A mistake is an InputError naming the file and the
line, so ``sanctrace rules check`` can be used in CI on rule changes.

    ruleset: mission            # name
    version: "2026.11"          # version of the set
    params: {...}               # defaults every rule can read as params.NAME
    rules:
      - id: RU-MINING-EXPOSURE
        version: 1
        severity: critical      # low | medium | high | critical
        on: [deposit]           # event kinds the rule is evaluated on
        subject: customer       # alert subject: customer | account | address
        action: block           # effect on a pending transfer: block | hold | none
        description: ...
        params: {share: 0.1}
        condition: exposure.mining_ru_share >= params.share
        explanation: "Deposit {txid}:{vout} ... {exposure.mining_ru_share}"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from sanctrace.errors import InputError
from sanctrace.model.ledger import EVENT_KINDS
from sanctrace.monitoring.rules.ast import Aggregate, Binary, Call, Field, ListLit, Literal, Node, Unary
from sanctrace.monitoring.rules.fields import EVENT_FIELD_NAMES, FIELDS, KIND_NAMES
from sanctrace.monitoring.rules.syntax import RuleSyntaxError, parse, walk

SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_SCORE = {"low": 0.25, "medium": 0.5, "high": 0.75, "critical": 1.0}
SEVERITY_ACTION = {"low": "none", "medium": "none", "high": "hold", "critical": "block"}
ACTIONS = ("block", "hold", "none")
SUBJECTS = ("customer", "account", "address")
MAX_RULE_FILE = 2 * 1024 * 1024
MAX_YAML_NODES = 200_000  # a real rule pack has a few thousand
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,79}$")
_RULE_KEYS = {"id", "version", "severity", "on", "subject", "action", "description", "params", "condition",
              "explanation", "score", "enabled"}
_SET_KEYS = {"ruleset", "version", "description", "params", "rules"}


@dataclass(frozen=True, slots=True)
class Y:
    """A YAML value with the 1-based line it started on."""

    value: Any  # dict[str, Y] | list[Y] | scalar
    line: int
    block: bool = False  # a literal/folded block scalar: its text starts on the next line

    def plain(self) -> Any:
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def load_yaml(text: str, source: str) -> Y:
    """Safe-load YAML keeping each node's line; duplicate keys are errors (PyYAML keeps the last)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError.at(source, "line 1", "empty rule file")

        budget = [MAX_YAML_NODES]

        def conv(n: yaml.Node) -> Y:
            line = n.start_mark.line + 1
            budget[0] -= 1  # aliases share nodes: without a budget ``*a`` nesting expands exponentially
            if budget[0] < 0:
                raise InputError.at(source, f"line {line}", f"more than {MAX_YAML_NODES} YAML values once "
                                    "aliases are expanded (an alias bomb?)")
            if isinstance(n, yaml.MappingNode):
                out: dict[str, Y] = {}
                for k, v in n.value:
                    # Keys are taken as written: YAML 1.1 would read the key ``on`` as True.
                    key = k.value if isinstance(k, yaml.ScalarNode) else None
                    if not isinstance(key, str):
                        raise InputError.at(source, f"line {k.start_mark.line + 1}", f"key {key!r} must be text")
                    if key in out:
                        raise InputError.at(source, f"line {k.start_mark.line + 1}", f"duplicate key {key!r}")
                    out[key] = conv(v)
                return Y(out, line)
            if isinstance(n, yaml.SequenceNode):
                return Y([conv(v) for v in n.value], line)
            style = getattr(n, "style", None)
            return Y(loader.construct_object(n, deep=True), line, block=style in ("|", ">"))

        return conv(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        raise InputError.at(source, where, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError.at(source, None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    version: str
    severity: str
    description: str
    on: tuple[str, ...]
    subject: str
    action: str
    score: float
    condition_source: str
    condition: Node
    explanation_source: str
    explanation: tuple[str | Node, ...]  # text pieces and placeholder expressions
    params: dict[str, Any] = field(default_factory=dict)
    line: int = 0
    enabled: bool = True

    def aggregates(self) -> list[Aggregate]:
        nodes = [self.condition, *(p for p in self.explanation if isinstance(p, Node))]
        return [n for root in nodes for n in walk(root) if isinstance(n, Aggregate)]


@dataclass(frozen=True, slots=True)
class RuleSet:
    name: str
    version: str
    description: str
    rules: tuple[Rule, ...]
    source: str

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise InputError.at(self.source, None, f"no rule {rule_id!r}")


class _Ctx:
    def __init__(self, source: str, where: Y) -> None:
        self.source = source
        self.where = where

    def fail(self, problem: str, pos: int | None = None, text: str = "") -> InputError:
        line = self.where.line
        if pos is not None and self.where.block:
            line += 1 + text[:pos].count("\n")
        elif pos is not None:
            line += text[:pos].count("\n")
        return InputError.at(self.source, f"line {line}", problem)


def _param_node(value: Any, pos: int, name: str, ctx: _Ctx) -> Node:
    if isinstance(value, list):
        return ListLit(pos, tuple(_param_node(v, pos, name, ctx) for v in value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return Literal(pos, value)
    raise ctx.fail(f"params.{name} must be a number, text, boolean or list of them")


def _resolve(node: Node, params: dict[str, Any], ctx: _Ctx, text: str, in_agg: bool = False) -> Node:
    """Substitute params, check every name against the whitelist; returns the checked tree."""
    def again(n: Node, agg: bool = in_agg) -> Node:
        return _resolve(n, params, ctx, text, agg)

    if isinstance(node, Field):
        if node.namespace == "params":
            if node.name not in params:
                raise ctx.fail(f"unknown parameter params.{node.name}", node.pos, text)
            return _param_node(params[node.name], node.pos, node.name, ctx)
        if in_agg and node.key not in EVENT_FIELD_NAMES:
            raise ctx.fail(f"inside an aggregate 'where' only the aggregated event's own fields are allowed, "
                           f"not {node.key!r}", node.pos, text)
        if node.key not in FIELDS:
            raise ctx.fail(f"unknown field {node.key!r}", node.pos, text)
        return node
    if isinstance(node, Unary):
        return replace(node, operand=again(node.operand))
    if isinstance(node, Binary):
        right = again(node.right)
        if node.op in ("in", "notin") and not isinstance(right, ListLit):
            raise ctx.fail("'in' needs a list on its right: x in ['RU', 'BY'] or x in params.NAME",
                           node.pos, text)
        if node.op not in ("in", "notin") and isinstance(right, ListLit):
            raise ctx.fail(f"a list can only follow 'in', not {node.op!r}", node.pos, text)
        left = again(node.left)
        if isinstance(left, ListLit):
            raise ctx.fail("a list can only follow 'in'", node.pos, text)
        return replace(node, left=left, right=right)
    if isinstance(node, Call):
        return replace(node, args=tuple(again(a) for a in node.args))
    if isinstance(node, ListLit):
        items = tuple(again(a) for a in node.items)
        if any(isinstance(i, (ListLit, Aggregate)) for i in items):
            raise ctx.fail("list items must be plain values", node.pos, text)
        return replace(node, items=items)
    if isinstance(node, Aggregate):
        if in_agg:
            raise ctx.fail("aggregates cannot be nested", node.pos, text)
        if node.kind not in KIND_NAMES:
            raise ctx.fail(f"unknown event kind {node.kind!r} (one of {', '.join(sorted(KIND_NAMES))})",
                           node.pos, text)
        for name in (node.field, node.per):
            if name is not None and name not in EVENT_FIELD_NAMES:
                raise ctx.fail(f"unknown event field {name!r} in {node.func}()", node.pos, text)
        where = again(node.where, True) if node.where is not None else None
        return replace(node, where=where)
    return node


def _expr(text: str, params: dict[str, Any], ctx: _Ctx) -> Node:
    try:
        tree = parse(text)
    except RuleSyntaxError as exc:
        raise ctx.fail(f"syntax error at offset {exc.pos}: {exc.message}", exc.pos, text) from None
    return _resolve(tree, params, ctx, text)


def _template(text: str, params: dict[str, Any], ctx: _Ctx) -> tuple[str | Node, ...]:
    parts: list[str | Node] = []
    i = 0
    buf = ""
    while i < len(text):
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            buf += "{"
            i += 2
        elif ch == "}" and text.startswith("}}", i):
            buf += "}"
            i += 2
        elif ch == "{":
            end = text.find("}", i)
            if end < 0:
                raise ctx.fail("explanation: '{' without a closing '}'", i, text)
            if buf:
                parts.append(buf)
                buf = ""
            inner = text[i + 1:end]
            try:
                parts.append(_resolve(parse(inner), params, ctx, text))
            except RuleSyntaxError as exc:
                raise ctx.fail(f"explanation placeholder {{{inner}}}: {exc.message}", i, text) from None
            i = end + 1
        elif ch == "}":
            raise ctx.fail("explanation: '}' without an opening '{' (write '}}')", i, text)
        else:
            buf += ch
            i += 1
    if buf:
        parts.append(buf)
    return tuple(parts)


def _text_field(rule: dict[str, Y], key: str, ctx: _Ctx, *, required: bool = True, default: str = "") -> str:
    if key not in rule:
        if required:
            raise ctx.fail(f"rule lacks '{key}'")
        return default
    value = rule[key].value
    if isinstance(value, (dict, list)) or value is None:
        raise _Ctx(ctx.source, rule[key]).fail(f"'{key}' must be text")
    return str(value)


def _params(y: Y | None, source: str) -> dict[str, Any]:
    if y is None:
        return {}
    if not isinstance(y.value, dict):
        raise InputError.at(source, f"line {y.line}", "'params' must be a mapping")
    return {k: v.plain() for k, v in y.value.items()}


def _rule(y: Y, set_params: dict[str, Any], source: str) -> Rule:
    ctx = _Ctx(source, y)
    if not isinstance(y.value, dict):
        raise ctx.fail("each rule must be a mapping")
    r: dict[str, Y] = y.value
    unknown = sorted(set(r) - _RULE_KEYS)
    if unknown:
        raise _Ctx(source, r[unknown[0]]).fail(f"unknown rule key {unknown[0]!r}")
    rule_id = _text_field(r, "id", ctx)
    if not _ID.match(rule_id):
        raise _Ctx(source, r["id"]).fail(f"bad rule id {rule_id!r} (letters, digits, _ . -)")
    version = _text_field(r, "version", ctx)
    severity = _text_field(r, "severity", ctx).lower()
    if severity not in SEVERITIES:
        raise _Ctx(source, r["severity"]).fail(f"severity must be one of {', '.join(SEVERITIES)}")
    on_y = r.get("on")
    if on_y is None:
        raise ctx.fail("rule lacks 'on' (the event kinds it applies to)")
    kinds = on_y.plain()
    kinds = [kinds] if isinstance(kinds, str) else kinds
    valid = {k.value for k in EVENT_KINDS}
    if not isinstance(kinds, list) or not kinds or any(k not in valid for k in kinds):
        raise _Ctx(source, on_y).fail(f"'on' must list event kinds from: {', '.join(sorted(valid))}")
    subject = _text_field(r, "subject", ctx, required=False, default="customer")
    if subject not in SUBJECTS:
        raise _Ctx(source, r["subject"]).fail(f"subject must be one of {', '.join(SUBJECTS)}")
    action = _text_field(r, "action", ctx, required=False, default=SEVERITY_ACTION[severity])
    if action not in ACTIONS:
        raise _Ctx(source, r["action"]).fail(f"action must be one of {', '.join(ACTIONS)}")
    score = SEVERITY_SCORE[severity]
    if "score" in r:
        raw = r["score"].value
        if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not 0 <= raw <= 1:
            raise _Ctx(source, r["score"]).fail("score must be a number in [0, 1]")
        score = float(raw)
    params = {**set_params, **_params(r.get("params"), source)}
    cond_src = _text_field(r, "condition", ctx)
    condition = _expr(cond_src, params, _Ctx(source, r["condition"]))
    expl_src = _text_field(r, "explanation", ctx)
    explanation = _template(expl_src, params, _Ctx(source, r["explanation"]))
    enabled = r["enabled"].value if "enabled" in r else True
    if not isinstance(enabled, bool):
        raise _Ctx(source, r["enabled"]).fail("enabled must be true or false")
    return Rule(
        id=rule_id, version=version, severity=severity,
        description=_text_field(r, "description", ctx), on=tuple(kinds), subject=subject, action=action,
        score=score, condition_source=cond_src, condition=condition, explanation_source=expl_src,
        explanation=explanation, params=params, line=y.line, enabled=enabled,
    )


def parse_ruleset(text: str, source: str) -> RuleSet:
    doc = load_yaml(text, source)
    if not isinstance(doc.value, dict):
        raise InputError.at(source, f"line {doc.line}", "a rule file is a mapping with 'ruleset' and 'rules'")
    top: dict[str, Y] = doc.value
    unknown = sorted(set(top) - _SET_KEYS)
    if unknown:
        raise InputError.at(source, f"line {top[unknown[0]].line}", f"unknown key {unknown[0]!r}")
    for key in ("ruleset", "version", "rules"):
        if key not in top:
            raise InputError.at(source, f"line {doc.line}", f"rule file lacks '{key}'")
    rules_y = top["rules"]
    if not isinstance(rules_y.value, list) or not rules_y.value:
        raise InputError.at(source, f"line {rules_y.line}", "'rules' must be a non-empty list")
    set_params = _params(top.get("params"), source)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for item in rules_y.value:
        rule = _rule(item, set_params, source)
        if rule.id in seen:
            raise InputError.at(source, f"line {item.line}", f"duplicate rule id {rule.id!r} "
                                f"(first at line {seen[rule.id]})")
        seen[rule.id] = item.line
        rules.append(rule)
    return RuleSet(str(top["ruleset"].value), str(top["version"].value),
                   str(top["description"].value) if "description" in top else "", tuple(rules), source)


def builtin_rulesets() -> dict[str, Path]:
    """Shipped rule packs by name (``mission``); the same path a user file takes."""
    folder = Path(__file__).resolve().parent.parent / "rulepacks"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def load_ruleset(name_or_path: str) -> RuleSet:
    """A shipped pack by name, or a YAML file by path."""
    packs = builtin_rulesets()
    path = packs.get(name_or_path) or Path(name_or_path)
    try:
        size = path.stat().st_size
        if size > MAX_RULE_FILE:
            raise InputError.at(str(path), None, f"rule file larger than {MAX_RULE_FILE} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.at(name_or_path, None, f"no such rule file or shipped pack "
                            f"(shipped: {', '.join(packs) or 'none'})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.at(str(path), None, f"cannot read: {exc}") from None
    return parse_ruleset(text, str(path))
