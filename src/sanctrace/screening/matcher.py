"""The matcher: declared, weighted features that turn a query and a list entry into a score.

Each :class:`Feature` has a name, a function of the :class:`MatchContext` returning a value in
[-1, 1], and a weight. The score is the weighted sum clamped to [0, 1]; every feature whose value
is not zero is reported with its contribution, so an analyst can see *why* a customer scored 0.83
(names aligned 0.71, birth date +0.05, nationality +0.02). Weights are declared in one place
(:data:`FEATURES`) and may be replaced by passing another tuple to the screener.

Name evidence alone tops out below 1.0 (0.95 for an exact name); birth date, nationality and
identifiers move the score up or down. A name that matches on one token only (a shared surname)
is pulled below any sensible threshold unless the query is a title plus that surname
("Präsident Putin"), and a person never matches an organisation on name alone (the screener
filters kinds before scoring).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from sanctrace.screening.align import (
    KANA_CANDIDATE,
    KANA_QUERY,
    PLAIN,
    SKELETON,
    SYLLABIC_CANDIDATE,
    SYLLABIC_MODES,
    SYLLABIC_QUERY,
    TRANSLATED,
    Pair,
    align,
    role_weight,
)
from sanctrace.screening.normalize import NameForm, ParsedName, TokenRole
from sanctrace.screening.vocabulary import GENERIC_ORG_WORDS, STOPWORDS

_DISTINCT = (TokenRole.NAME, TokenRole.NUMBER)
# Penalty weight of a token only one side has: persons carry optional middle names and
# patronymics; an organisation's extra word ("Schweiz", "Trust") usually names another body.
PERSON_EXTRA = 0.15
_SYLLABIC = frozenset({"Jpan", "Kana", "Hang", "Hani"})
TRANSLATED_GENERIC_EXTRA = 0.15
_ORG_TYPE = GENERIC_ORG_WORDS | STOPWORDS
_KANA = frozenset({"Jpan", "Kana"})


@dataclass(frozen=True, slots=True)
class NameComparison:
    alignment: float = 0.0
    string: float = 0.0
    exact: bool = False
    single_token: bool = False
    conflict: bool = False
    titled_surname: bool = False
    order_conflict: bool = False
    query_form: str = ""
    candidate_form: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Facts beyond the name that a query or a list entry may carry."""

    birth_dates: tuple[str, ...] = ()
    nationalities: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MatchContext:
    query: ParsedName
    candidate: ParsedName
    name: NameComparison
    query_evidence: Evidence = field(default_factory=Evidence)
    candidate_evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    func: Callable[[MatchContext], float]
    weight: float


def _legal_form(ctx: MatchContext) -> float:
    q, c = ctx.query.legal_forms, ctx.candidate.legal_forms
    return 1.0 if q and c and q & c else 0.0


def _legal_form_mismatch(ctx: MatchContext) -> float:
    """An AG is not a GmbH, an ANO not an LLC: different forms are a different legal person."""
    q, c = ctx.query.legal_forms - {"vessel"}, ctx.candidate.legal_forms - {"vessel"}
    return 1.0 if q and c and not q & c else 0.0


def _single_token(ctx: MatchContext) -> float:
    return 1.0 if ctx.name.single_token and not ctx.name.titled_surname else 0.0


def _birth_date_mismatch(ctx: MatchContext) -> float:
    return 1.0 if _birth_date(ctx) < 0 else 0.0


def _birth_date(ctx: MatchContext) -> float:
    """+1 same full date, +0.6 same year (or one side gives only the year), -1 years differ by >1."""
    qd, cd = ctx.query_evidence.birth_dates, ctx.candidate_evidence.birth_dates
    if not qd or not cd:
        return 0.0
    best = -1.0
    for a in qd:
        for b in cd:
            if a == b and len(a) >= 10:
                return 1.0
            ya, yb = a[:4], b[:4]
            if not (ya.isdigit() and yb.isdigit()):
                continue
            if ya == yb:
                same_prefix = a[: min(len(a), len(b))] == b[: min(len(a), len(b))]
                best = max(best, 0.6 if same_prefix else 0.2)
            elif abs(int(ya) - int(yb)) <= 1:
                best = max(best, 0.0)
    return best


def _nationality(ctx: MatchContext) -> float:
    qn, cn = ctx.query_evidence.nationalities, ctx.candidate_evidence.nationalities
    if not qn or not cn:
        return 0.0
    return 1.0 if qn & cn else -1.0


def _identifier(ctx: MatchContext) -> float:
    qi, ci = ctx.query_evidence.identifiers, ctx.candidate_evidence.identifiers
    return 1.0 if qi and ci and qi & ci else 0.0


FEATURES: tuple[Feature, ...] = (
    Feature("name_alignment", lambda ctx: ctx.name.alignment, 0.78),
    Feature("name_string", lambda ctx: ctx.name.string, 0.12),
    Feature("exact_name", lambda ctx: 1.0 if ctx.name.exact else 0.0, 0.05),
    Feature("legal_form", _legal_form, 0.04),
    Feature("legal_form_mismatch", _legal_form_mismatch, -0.1),
    Feature("single_token_only", _single_token, -0.3),
    Feature("title_with_surname", lambda ctx: 1.0 if ctx.name.titled_surname else 0.0, 0.08),
    Feature("name_conflict", lambda ctx: 1.0 if ctx.name.conflict else 0.0, -0.12),
    Feature("nasab_order", lambda ctx: 1.0 if ctx.name.order_conflict else 0.0, -0.3),
    Feature("birth_date", lambda ctx: max(0.0, _birth_date(ctx)), 0.08),
    Feature("birth_date_mismatch", _birth_date_mismatch, -0.15),
    Feature("nationality", _nationality, 0.05),
    Feature("identifier", _identifier, 0.3),
)


def score(ctx: MatchContext, features: tuple[Feature, ...] = FEATURES) -> tuple[float, dict[str, float]]:
    """Weighted sum of the features, clamped to [0, 1], and the contributions of those that fired."""
    total = 0.0
    fired: dict[str, float] = {}
    for feature in features:
        value = feature.func(ctx)
        if value:
            contribution = feature.weight * value
            total += contribution
            fired[feature.name] = round(contribution, 4)
    return min(1.0, max(0.0, total)), fired


def compare_forms(q: NameForm, c: NameForm, mode: int, is_org: bool,
                  titled: bool, query_translated: bool = True) -> NameComparison:
    """Compare one rendering of the query with one rendering of the list name."""
    if not q.tokens or not c.tokens:
        return NameComparison()
    al = align(q, c, mode)
    matched = 0.0
    possible = 0.0
    strong = 0
    named_both = 0
    for pair in al.pairs:
        weight = (role_weight(q, pair.q) + role_weight(c, pair.c)) / 2
        matched += pair.sim * weight
        possible += weight
        q_distinct = any(q.roles[i] in _DISTINCT for i in pair.q)
        c_distinct = any(c.roles[j] in _DISTINCT for j in pair.c)
        if q_distinct or c_distinct:
            strong += min(len(pair.q), len(pair.c))
        named_both += q_distinct and c_distinct
    if not al.pairs:
        return NameComparison()
    conflict_q = _distinct_left(q, al.unmatched_q)
    conflict_c = _distinct_left(c, al.unmatched_c)
    conflict = conflict_q > 0 and conflict_c > 0
    # Japanese translations of organisation names often leave out generic words, or add them
    # (学術生産公団 "scientific production association" for an NPO): a generic word only one side
    # has costs little, a name only one side has more.
    translation = is_org and (mode in SYLLABIC_MODES or mode == TRANSLATED)
    extra = (0.4 if translation else 0.8) if is_org else PERSON_EXTRA
    alpha = 1.0 if conflict else extra
    # Only once a name (not just generic words, which a translation makes generic on one side only)
    # matched: "Ministry of Defence" must not cover "27th Research Centre of the Ministry of Defence".
    if translation and not conflict:
        # Generic words the translation added (学術生産公団 for NPO) cost little; generic words only
        # the Latin name has cost little too once a name matched on both sides.
        translated_form, translated_left = (q, al.unmatched_q) if query_translated else (c, al.unmatched_c)
        other_form, other_left = (c, al.unmatched_c) if query_translated else (q, al.unmatched_q)
        cheap_t, other_t = _generic_weight(translated_form, translated_left)
        cheap_o, other_o = _generic_weight(other_form, other_left)
        penalty = alpha * (_name_weight(q, al.unmatched_q) + _name_weight(c, al.unmatched_c) + other_t + other_o) + \
            TRANSLATED_GENERIC_EXTRA * cheap_t + (TRANSLATED_GENERIC_EXTRA if named_both else alpha) * cheap_o
    else:
        penalty = alpha * (role_weight(q, al.unmatched_q) + role_weight(c, al.unmatched_c))
    alignment = matched / (possible + penalty)
    if mode not in (PLAIN, TRANSLATED):
        sq = "".join(sorted(s for s in q.skeletons if s))
        sc = "".join(sorted(s for s in c.skeletons if s))
    else:
        sq = "".join(sorted(q.tokens))
        sc = "".join(sorted(c.tokens))
    string = fuzz.ratio(sq, sc) / 100.0
    most_names = max(q.distinct, c.distinct)
    single = strong <= 1 and most_names >= 2 and (conflict_q > 0 or conflict_c > 0)
    q_names = q.distinct
    return NameComparison(
        alignment=alignment,
        string=string,
        exact=not al.unmatched_q and not al.unmatched_c and all(p.sim == 1.0 for p in al.pairs),
        single_token=single,
        conflict=conflict,
        titled_surname=titled and q_names == 1 and strong == 1,
        order_conflict=not is_org and _nasab_swapped(q, c, al.pairs),
        query_form=q.joined,
        candidate_form=c.joined,
    )


_NASAB = frozenset({"bin", "ibn", "bint", "ben", "ould", "binti"})


def _nasab_swapped(q: NameForm, c: NameForm, pairs: tuple[Pair, ...]) -> bool:
    """"Salman bin Muhammad" is not "Muhammad bin Salman": names may not cross the word 'bin'."""
    qb = next((i for i, t in enumerate(q.tokens) if t in _NASAB), None)
    cb = next((j for j, t in enumerate(c.tokens) if t in _NASAB), None)
    if qb is None or cb is None or not (0 < qb < len(q.tokens) - 1) or not (0 < cb < len(c.tokens) - 1):
        return False  # "bin" at either end: the whole name was turned around, not the lineage
    return any(q.roles[pair.q[0]] is TokenRole.NAME and (pair.q[0] < qb) != (pair.c[0] < cb) for pair in pairs)


def _name_weight(form: NameForm, idx: tuple[int, ...]) -> float:
    return sum(form.weights[i] for i in idx if form.roles[i] in _DISTINCT)


def _generic_weight(form: NameForm, idx: tuple[int, ...]) -> tuple[float, float]:
    """Weight of the left-over generic tokens: the organisation-type words any name may add or drop
    (institute, production, company), and the rest (computer, control, missile)."""
    cheap = sum(form.weights[i] for i in idx if form.roles[i] not in _DISTINCT and form.tokens[i] in _ORG_TYPE)
    rest = sum(form.weights[i] for i in idx if form.roles[i] not in _DISTINCT and form.tokens[i] not in _ORG_TYPE)
    return cheap, rest


def _distinct_left(form: NameForm, idx: tuple[int, ...]) -> int:
    return sum(1 for i in idx if form.roles[i] in (TokenRole.NAME, TokenRole.PATRONYMIC))


def compare_names(q: ParsedName, c: ParsedName, is_org: bool = False) -> NameComparison:
    """Best comparison over every rendering of both names."""
    titled = bool(q.titles)
    if q.native is not None and c.native is not None and q.script == c.script:
        # Same non-Latin script on both sides: compare the characters themselves; a romanisation
        # would blur 习近平/习近朋 or 김정은/김종은 into one sound.
        return compare_forms(q.native, c.native, PLAIN, is_org, titled)
    if q.use_skeleton and q.script in _SYLLABIC:
        mode = KANA_QUERY if q.script in _KANA else SYLLABIC_QUERY
    elif c.use_skeleton and c.script in _SYLLABIC:
        mode = KANA_CANDIDATE if c.script in _KANA else SYLLABIC_CANDIDATE
    else:
        mode = SKELETON if q.use_skeleton or c.use_skeleton else PLAIN
    if mode == PLAIN and is_org and q.script != c.script and (q.script in _SYLLABIC or c.script in _SYLLABIC):
        mode = TRANSLATED  # a Kanji organisation name: its generic words were translated
    query_translated = mode in (SYLLABIC_QUERY, KANA_QUERY) or (mode == TRANSLATED and q.script in _SYLLABIC)
    best = NameComparison()
    best_key = -1.0
    for qf in q.forms:
        for cf in c.forms:
            comp = compare_forms(qf, cf, mode, is_org, titled, query_translated)
            key = comp.alignment * 0.8 + comp.string * 0.2
            if key > best_key:
                best, best_key = comp, key
    return best


def match_names(a: str, b: str, kind: str = "person") -> tuple[float, dict[str, float]]:
    """Score two bare names (no evidence) — the pairwise form used by the name benchmarks."""
    from sanctrace.screening.normalize import parse_name

    is_org = kind not in ("person", "unknown")
    qa = parse_name(a, is_org=is_org, is_person=kind == "person")
    qb = parse_name(b, is_org=is_org, is_person=kind == "person")
    ctx = MatchContext(query=qa, candidate=qb, name=compare_names(qa, qb, is_org))
    return score(ctx)
