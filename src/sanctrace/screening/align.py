"""Token alignment between two parsed names: which token of one is which token of the other.

The alignment is what makes reordering ("PUTIN, Vladimir"), optional patronymics, initials
("Путин В.В."), typos and split or joined words ("Abdul Hai" / "Abdulhai") cheap to handle:
tokens are paired greedily by similarity, then left-over tokens are tried against the
concatenation of two neighbours. What is left unpaired on each side is reported, because an
unpaired *given name on both sides* (Daniil vs Dmitry Medvedev) is the strongest sign of two
different people sharing a surname.

Across scripts the comparison mode decides what counts as similar: consonant skeletons for
abjads, kana keys for syllabaries, the phonetic alignment of :mod:`kana_match` for Japanese
Katakana (whose compounds may also cover two or three Latin words, tried before greedy pairing
too), and interchangeable English renderings (:mod:`glossary`) for translated generic words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from sanctrace.screening.glossary import same_concept, same_stem
from sanctrace.screening.kana_match import is_kana_shaped, kana_latin_similarity
from sanctrace.screening.nicknames import same_given_name
from sanctrace.screening.normalize import NameForm, TokenRole
from sanctrace.screening.phonetic import kana_key, phonetic_key, skeleton
from sanctrace.screening.vocabulary import patronymic_stem

MIN_PAIR_SIM = 0.6
# Comparison modes: how to treat a pair of names whose scripts differ.
# TRANSLATED: spelled the same way (Latin on both sides), but one side's generic words were
# translated from Japanese or Chinese, so another English word for the same thing also counts.
# KANA_*: the syllabic side is Japanese (romanised Katakana), compared by phonetic alignment too.
PLAIN, SKELETON, SYLLABIC_QUERY, SYLLABIC_CANDIDATE, TRANSLATED, KANA_QUERY, KANA_CANDIDATE = range(7)
SYLLABIC_MODES = frozenset({SYLLABIC_QUERY, SYLLABIC_CANDIDATE, KANA_QUERY, KANA_CANDIDATE})
_QUERY_SIDE = frozenset({SYLLABIC_QUERY, KANA_QUERY})
_TRANSLATING = SYLLABIC_MODES | {TRANSLATED}


@lru_cache(maxsize=1 << 18)
def token_sim(a: str, b: str, mode: int) -> float:
    """Similarity of two lower-case ASCII tokens in [0, 1]."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial matches the first letter of a name
        return 0.9 if a[0] == b[0] and (len(a) == 1 or len(b) == 1) else 0.0
    if a.isdigit() or b.isdigit():
        return 0.0
    ka, kb = phonetic_key(a), phonetic_key(b)
    if ka == kb:
        return 0.95
    if same_given_name(a, b):
        return 0.85
    stem_a, stem_b = patronymic_stem(a), patronymic_stem(b)
    if stem_a and stem_b and (stem_a == stem_b or same_given_name(stem_a, stem_b)):
        return 0.85  # Volodymyrovych / Vladimirovich: one father's name in two languages
    sim = _edit_sim(a, b, ka, kb)
    if mode in _TRANSLATING:
        # A translated Japanese term may come out as another English word for the same thing.
        if same_concept(a, b):
            return 0.9
        if same_stem(a, b):
            sim = max(sim, 0.85)
        if mode == TRANSLATED:
            return sim
    if mode in SYLLABIC_MODES:
        query_side = mode in _QUERY_SIDE
        ka_, kb_ = kana_key(a, query_side), kana_key(b, not query_side)
        if ka_ and kb_ and min(len(ka_), len(kb_)) >= 3:
            ratio = Levenshtein.normalized_similarity(ka_, kb_)
            kana_sim = 0.92 if ratio == 1.0 else 0.92 * ratio if ratio >= 0.75 else 0.0
            sim = max(sim, kana_sim)
        kana, latin = (a, b) if query_side else (b, a)
        if mode in (KANA_QUERY, KANA_CANDIDATE) and is_kana_shaped(kana):
            sim = max(sim, kana_token_sim(kana, latin))
        return sim
    if mode == SKELETON:
        sa, sb = skeleton(a), skeleton(b)
        if sa and sb:
            shortest = min(len(sa), len(sb))
            if sa == sb and shortest >= 3:
                skel_sim = 0.9 if shortest >= 4 else 0.8
            elif sa == sb and mode == SKELETON and a[0] == b[0]:
                skel_sim = 0.7  # a short name written without vowels ("ly" for Ali)
            elif shortest >= 4 and Levenshtein.distance(sa, sb) == 1:
                skel_sim = 0.75
            else:
                skel_sim = 0.0
            # Syllabic scripts add vowels, they never drop a syllable: プーチン (pu-chin) can be
            # Putin (pu-tin) but not Potanin (po-ta-nin).
            more_syllables = (mode == SYLLABIC_QUERY and _syllables(b) > _syllables(a)) or (
                mode == SYLLABIC_CANDIDATE and _syllables(a) > _syllables(b))
            if more_syllables:
                skel_sim *= 0.6
            sim = max(sim, skel_sim)
    return sim


def kana_token_sim(kana: str, latin: str) -> float:
    """The phonetic alignment of a Katakana word and a Latin one, on the scale of :func:`token_sim`.

    Below 0.65 the alignment is no evidence (プーチン/Potanin scores about 0.6); from there it
    rises to 0.95 for a perfect alignment, just under an exact spelling.
    """
    raw = kana_latin_similarity(kana, latin)
    if raw < 0.65:
        return 0.0
    return min(0.95, 0.6 + (raw - 0.65) / 0.3 * 0.35)


def _syllables(token: str) -> int:
    count = 0
    previous = False
    for ch in token:
        vowel = ch in "aeiouy"
        if vowel and not previous:
            count += 1
        previous = vowel
    return count


def _edit_sim(a: str, b: str, ka: str, kb: str) -> float:
    """Typos are one or two edits (a transposition counts as one); different names differ more.

    The curve is steep on purpose: "Scholz"/"Schloz" is a typo (0.9), "Castro"/"Castillo" or
    "Lukashenko"/"Lukashevich" are different names and fall below the pairing threshold. The
    spelling and the phonetic key are both tried; the better reading wins.
    """
    return max(_curve(a, b), _curve(ka, kb))


def _curve(a: str, b: str) -> float:
    dist = OSA.distance(a, b)
    longest = max(len(a), len(b))
    if dist == 1:
        if longest <= 3 and sorted(a) == sorted(b):
            return 0.8  # a swapped pair of letters: "Sko" / "Sok"
        # In a name of three letters or fewer one letter makes another name (Sa/Ma, Lee/Liu).
        return 0.9 if longest >= 5 else 0.8 if longest == 4 else 0.55
    if dist == 2 and longest >= 8:
        return 0.8
    if dist == 2 and longest >= 5 and a[:1] == b[:1]:
        return 0.64
    return max(0.0, 1.0 - dist / longest) ** 2 if longest else 0.0


@dataclass(frozen=True, slots=True)
class Pair:
    q: tuple[int, ...]
    c: tuple[int, ...]
    sim: float


@dataclass(frozen=True, slots=True)
class Alignment:
    pairs: tuple[Pair, ...]
    unmatched_q: tuple[int, ...]
    unmatched_c: tuple[int, ...]


def align(q: NameForm, c: NameForm, mode: int) -> Alignment:
    """Greedy best-first pairing of tokens, then joined-neighbour pairing for the rest.

    Katakana writes compounds as one word, so for a Japanese name the joins are also tried first
    (ロスエレクトロニクス "rosu electronics" is all of "Ruselectronics", not "electronics" inside
    it), and the alignment covering more with better pairs wins.
    """
    greedy_first = _align(q, c, mode, joins_first=False)
    if mode not in (KANA_QUERY, KANA_CANDIDATE) or len(q.tokens) == len(c.tokens):
        return greedy_first
    joins_first = _align(q, c, mode, joins_first=True)
    return max((greedy_first, joins_first), key=_coverage)


def _coverage(al: Alignment) -> float:
    return sum(p.sim * (len(p.q) + len(p.c)) for p in al.pairs)


def _align(q: NameForm, c: NameForm, mode: int, joins_first: bool) -> Alignment:
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[Pair] = []
    if joins_first:
        _join_pass(q, c, used_q, used_c, pairs, mode, kana_only=True)
    scored: list[tuple[float, int, int]] = []
    for i, qt in enumerate(q.tokens):
        if i in used_q:
            continue
        for j, ct in enumerate(c.tokens):
            if j in used_c:
                continue
            sim = token_sim(qt, ct, mode)
            if sim >= MIN_PAIR_SIM:
                # Initials are paired last, so "V." does not take "Vladimir" from "Vladimir".
                rank = sim - (0.2 if len(qt) == 1 or len(ct) == 1 else 0.0)
                scored.append((rank, i, j))
    scored.sort(reverse=True)
    for _rank, i, j in scored:
        if i in used_q or j in used_c:
            continue
        # An initial of the query may stand for a whole name; the reverse (query spells a name,
        # the list has only an initial) is as good.
        used_q.add(i)
        used_c.add(j)
        pairs.append(Pair((i,), (j,), token_sim(q.tokens[i], c.tokens[j], mode)))
    if not joins_first and len(used_q) < len(q.tokens) and len(used_c) < len(c.tokens) and \
            max(len(q.tokens) - len(used_q), len(c.tokens) - len(used_c)) >= 2:
        _join_pass(q, c, used_q, used_c, pairs, mode)
    return Alignment(
        pairs=tuple(pairs),
        unmatched_q=tuple(i for i in range(len(q.tokens)) if i not in used_q),
        unmatched_c=tuple(j for j in range(len(c.tokens)) if j not in used_c),
    )


def _join_pass(q: NameForm, c: NameForm, used_q: set[int], used_c: set[int], pairs: list[Pair],
               mode: int, kana_only: bool = False) -> None:
    """Pair one token with two or three adjacent tokens of the other name written as one word,
    or with their initials (an acronym). Lengths are checked before any string is built.
    ``kana_only``: only joins involving a Katakana word (compounds), not "the republic"."""
    for one, two, used_one, used_two, one_is_q in ((q, c, used_q, used_c, True), (c, q, used_c, used_q, False)):
        free = [j for j in range(len(two.tokens)) if j not in used_two]
        if len(free) < 2:
            continue
        for i, tok in enumerate(one.tokens):
            if i in used_one or len(tok) < 2:
                continue
            # A particle ("al", "de") is not an acronym of the names that follow it.
            span = _find_span(tok, two.tokens, used_two, mode, one.roles[i] is not TokenRole.PARTICLE, one_is_q)
            if span is not None:
                sim, idx = span
                if kana_only and not is_kana_shaped(tok) and not any(is_kana_shaped(two.tokens[k]) for k in idx):
                    continue
                used_one.add(i)
                used_two.update(idx)
                pairs.append(Pair((i,), idx, sim) if one_is_q else Pair(idx, (i,), sim))


def _find_span(tok: str, tokens: tuple[str, ...], used: set[int], mode: int,
               acronyms: bool = True, tok_is_query: bool = True) -> tuple[float, tuple[int, ...]] | None:
    n = len(tokens)
    first = tok[0]
    size = len(tok)
    # Katakana writes compounds as one word and adds vowels: キドマテック is "Kidma Tech", and
    # its first letter need not be the Latin one (ホ for kh). The phonetic alignment decides.
    syllabic = mode in (KANA_QUERY, KANA_CANDIDATE)
    floor = 0.7 if syllabic else 0.85
    # This loop runs for every token of every candidate of a Japanese query (hundreds of times
    # per query), so the span grows one token at a time instead of rebuilding index tuples.
    for j in range(n - 1):
        head = tokens[j]
        if j in used or (head[0] != first and not syllabic):
            continue  # a join and an acronym both start with the first letter of the span
        total = len(head)
        for end in (j + 2, j + 3):
            if end > n or end - 1 in used:
                break
            total += len(tokens[end - 1])
            if acronyms and size == end - j and head[0] == first and \
                    all(tok[m] == tokens[j + m][0] for m in range(size)):
                return 0.85, tuple(range(j, end))  # an acronym: "US" for "United States"
            if syllabic:
                if not (total - 2 <= size <= 2 * total + 2 or size - 2 <= total <= 2 * size + 2):
                    continue
            elif abs(total - size) > 2:
                continue
            joined = "".join(tokens[j:end])
            sim = token_sim(tok, joined, mode) if tok_is_query else token_sim(joined, tok, mode)
            if sim >= floor:
                return sim, tuple(range(j, end))
    return None


def role_weight(form: NameForm, idx: tuple[int, ...]) -> float:
    return sum(form.weights[i] for i in idx)


def name_tokens(form: NameForm, idx: tuple[int, ...]) -> int:
    return sum(1 for i in idx if form.roles[i] in (TokenRole.NAME, TokenRole.NUMBER))
