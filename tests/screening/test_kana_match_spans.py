"""The compound-span search (``align._find_span``) returns what its straightforward form returned.

The search was rewritten to grow a span one token at a time for speed (it runs for every token of
every candidate of a Japanese query). The plain form below is the definition; both are run on
the same random names, used-token sets and comparison modes.
"""

from __future__ import annotations

import random

from sanctrace.screening.align import KANA_CANDIDATE, KANA_QUERY, PLAIN, SKELETON, _find_span, token_sim


def _plain_find_span(tok: str, tokens: tuple[str, ...], used: set[int], mode: int,
                     acronyms: bool, tok_is_query: bool) -> tuple[float, tuple[int, ...]] | None:
    syllabic = mode in (KANA_QUERY, KANA_CANDIDATE)
    for j in range(len(tokens) - 1):
        if j in used or (tokens[j][0] != tok[0] and not syllabic):
            continue
        for width in (2, 3):
            if j + width > len(tokens):
                break
            idx = tuple(range(j, j + width))
            if any(k in used for k in idx):
                break
            total = sum(len(tokens[k]) for k in idx)
            if acronyms and len(tok) == width and tokens[j][0] == tok[0] and \
                    all(tok[m] == tokens[k][0] for m, k in enumerate(idx)):
                return 0.85, idx
            if syllabic:
                if not total - 2 <= len(tok) <= 2 * total + 2 and not len(tok) - 2 <= total <= 2 * len(tok) + 2:
                    continue
            elif abs(total - len(tok)) > 2:
                continue
            joined = "".join(tokens[k] for k in idx)
            sim = token_sim(tok, joined, mode) if tok_is_query else token_sim(joined, tok, mode)
            if sim >= (0.7 if syllabic else 0.85):
                return sim, idx
    return None


_WORDS = ["kid", "ma", "tech", "ros", "elektronika", "rus", "electronics", "saint", "petersburg", "tutaev", "motor",
          "united", "states", "us", "sukhoi", "oboron", "export", "al", "de", "vertikal", "sapfir", "plant", "nik"]
_KANA = ["kidomateku", "rosuerekutoronikusu", "sankutopeteruburuku", "tsutaefumootaa", "sukhoi", "usu",
         "rosoboronekusuporuto", "vaatikaru", "sapufiru", "pura", "nikku"]


def test_span_search_matches_its_plain_form() -> None:
    rng = random.Random(7)
    found = 0
    for _ in range(4_000):
        tokens = tuple(rng.choice(_WORDS) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.3:
            tok = "".join(t[0] for t in tokens[:rng.randint(2, 3)])  # an acronym of the first words
        elif rng.random() < 0.5:
            tok = rng.choice(_KANA)
        else:
            tok = "".join(tokens[:rng.randint(2, 3)])  # the first words written as one
        used = {k for k in range(len(tokens)) if rng.random() < 0.2}
        mode = rng.choice((KANA_QUERY, KANA_CANDIDATE, PLAIN, SKELETON))
        acronyms, tok_is_query = rng.random() < 0.8, rng.random() < 0.5
        want = _plain_find_span(tok, tokens, used, mode, acronyms, tok_is_query)
        assert _find_span(tok, tokens, used, mode, acronyms, tok_is_query) == want, (tok, tokens, used, mode)
        found += want is not None
    assert found > 500  # the joins, acronyms and Katakana compounds are found, not just rejected
