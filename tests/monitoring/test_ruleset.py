from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.errors import InputError
from sanctrace.monitoring.rules.check import check_ruleset
from sanctrace.monitoring.rules.ruleset import load_ruleset, parse_ruleset

GOOD = """\
ruleset: t
version: "1"
params: {limit: 10, codes: [RU, BY]}
rules:
  - id: R1
    version: 2
    severity: high
    on: [withdrawal]
    description: d
    condition: amount > params.limit and account.country in params.codes
    explanation: "{event_id}: {amount} > {params.limit} ({{literal}})"
"""


def test_mission_pack_has_every_rule_of_the_issue() -> None:
    rs = load_ruleset("mission")
    ids = {r.id for r in rs.rules}
    assert ids == {
        "RU-MINING-EXPOSURE", "SANCTIONED-EXPOSURE", "LISTED-OR-BLOCKED-CUSTOMER", "SCREENING-POTENTIAL-MATCH",
        "RUSSIA-NEXUS", "TRANSIT-CORP-OUT-OF-PROFILE", "PASS-THROUGH", "STRUCTURING", "SHARED-DEVICE-OR-IP",
        "WITHDRAWAL-SANCTIONED-CLUSTER", "WITHDRAWAL-RU-NEXUS-CLUSTER", "TRAVEL-RULE-RU-VASP",
    }
    result = check_ruleset("mission")
    assert result["ok"] and len(result["rules"]) == 12


def test_params_and_template() -> None:
    rs = parse_ruleset(GOOD, "t.yaml")
    rule = rs.rule("R1")
    assert rule.on == ("withdrawal",) and rule.version == "2" and rule.action == "hold" and rule.score == 0.75
    texts = [p for p in rule.explanation if isinstance(p, str)]
    assert texts == [": ", " > ", " ({literal})"]


@pytest.mark.parametrize(("change", "message"), [
    (("condition: amount > params.limit", "condition: amount > params.nope"), "line 10: unknown parameter params.nope"),
    (("condition: amount > params.limit", "condition: amount >> 1"), "line 10: syntax error at offset 8"),
    (("condition: amount > params.limit", "condition: customer.shoe_size > 1"), "line 10: unknown field 'customer"),
    (("severity: high", "severity: dire"), "line 7: severity must be one of"),
    (("on: [withdrawal]", "on: [teleport]"), "line 8: 'on' must list event kinds"),
    (("    description: d\n", "    description: d\n    descripton: e\n"), "line 10: unknown rule key 'descripton'"),
    (("{amount} >", "{amount >"), "line 11: explanation placeholder"),
    (("rules:\n", "rules:\n  - id: R1\n    version: 1\n    severity: low\n    on: login\n    description: x\n"
      "    condition: 'true'\n    explanation: x\n"), "line 12: duplicate rule id 'R1' (first at line 5)"),
    (("params: {limit: 10", "params: {limit: 10, limit: 11"), "line 3: duplicate key 'limit'"),
    (("version: 2\n", "version: 2\n   bad: [\n"), "line 7: invalid YAML"),
    (("condition: amount > params.limit", "condition: amount in 3"), "line 10: 'in' needs a list"),
    (("condition: amount > params.limit", "condition: count(deposit within 1h where account.country == 'RU') > 1"),
     "only the aggregated event's own fields"),
    (("condition: amount > params.limit", "condition: count(mail within 1h) > 1"), "unknown event kind 'mail'"),
])
def test_malformed_rules_name_the_line(change: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(InputError) as info:
        parse_ruleset(text, "t.yaml")
    assert str(info.value).startswith("t.yaml: ")
    assert message in str(info.value)


def test_block_scalar_condition_line(tmp_path: Path) -> None:
    text = GOOD.replace("condition: amount > params.limit and account.country in params.codes",
                        "condition: >-\n      amount > 1\n      and bogus_field == 2")
    with pytest.raises(InputError, match="line 11: unknown field 'bogus_field'"):
        parse_ruleset(text, "t.yaml")


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i, name in enumerate("bcdefgh"):  # 9**8 = 43 million values once expanded
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    with pytest.raises(InputError, match="alias bomb"):
        parse_ruleset("\n".join(lines) + "\n" + GOOD, "bomb.yaml")


def test_check_catches_type_errors(tmp_path: Path) -> None:
    path = tmp_path / "typed.yaml"
    path.write_text(GOOD.replace("condition: amount > params.limit and account.country in params.codes",
                                 "condition: sum(event.address within 1h) > 1"), encoding="utf-8")
    with pytest.raises(InputError, match=r"typed.yaml: line 5: rule R1: "):
        check_ruleset(str(path))
    with pytest.raises(InputError, match="no such rule file or shipped pack"):
        load_ruleset(str(tmp_path / "missing.yaml"))
