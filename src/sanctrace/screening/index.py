"""Blocking index: find the few list names worth scoring for a query, in well under a millisecond.

Every rendering of every list name is cut into keys: the token, its phonetic key, the phonetic
key's one-character deletions (a symmetric-delete neighbourhood, so one typo on either side
still meets), the phonetic key of two neighbouring tokens written as one, and the coarse
consonant skeleton (used only by queries from scripts that need it). Keys live in one CSR
structure (a dict from key to slot, one int32 postings array); a query adds the IDF of every
key it shares with a name in one ``numpy.bincount`` and keeps the best ``limit`` names. Only
those go to the feature scorer.

Japanese and Chinese organisation names share little spelling with the English ones: their
generic words were translated (and match hundreds of list names) and their proper names are
Katakana compounds whose word breaks differ from the Latin ones. For those queries the keys count
with the role weight of their token, each three-class piece of a Katakana word's consonant
skeleton is a key of its own (list names index the trigrams of every word and of every pair of
neighbouring words), and exact ties go to the shorter list name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from sanctrace.screening.kana_match import is_kana_shaped
from sanctrace.screening.normalize import NameForm, ParsedName
from sanctrace.screening.phonetic import deletions, kana_key, phonetic_key, skeleton

MIN_DELETE_LEN = 5
RELATIVE_FLOOR = 0.25


def name_keys(name: ParsedName, with_skeleton: bool, indexing: bool = False) -> set[str]:
    """The blocking keys of one parsed name."""
    keys: set[str] = set()
    for group in key_groups(name, with_skeleton, indexing):
        keys |= group
    return keys


_SYLLABIC = frozenset({"Jpan", "Kana", "Hang"})
_KANA_SCRIPTS = frozenset({"Jpan", "Kana"})


def key_groups(name: ParsedName, with_skeleton: bool, indexing: bool = False) -> list[set[str]]:
    """Blocking keys grouped by token position (renderings of one token share a group).

    Kana keys (``j``) let a Japanese or Korean query meet the Latin name by sound with vowels
    kept; list names get the plain form, syllabic queries the form without added vowels.
    """
    groups: dict[object, set[str]] = {}
    kana = 1 if indexing else 2 if (name.script in _SYLLABIC and name.use_skeleton) else 0
    for form in name.forms:
        _form_keys(form, groups, with_skeleton, kana)
    if name.native is not None:
        for tok in name.native.tokens:
            groups.setdefault(("n", tok), set()).add("n" + tok)
    return [g for g in groups.values() if g]


def weighted_key_groups(name: ParsedName, with_skeleton: bool) -> list[tuple[set[str], float]]:
    """Query key groups with the weight of the tokens they come from (a name token 1, a generic
    word such as "research" or "institute" its lower role weight)."""
    groups: dict[object, set[str]] = {}
    kana = 2 if (name.script in _SYLLABIC and name.use_skeleton) else 0
    weights: dict[object, float] = {}
    for form in name.forms:
        _form_keys(form, groups, with_skeleton, kana)
        for pos, weight in enumerate(form.weights):
            weights[pos] = max(weights.get(pos, 0.0), weight)
            if pos:
                pair = min(weight, form.weights[pos - 1])
                weights[("j", pos - 1)] = max(weights.get(("j", pos - 1), 0.0), pair)
    grams: set[object] = set()
    if name.script in _KANA_SCRIPTS:
        # Each skeleton trigram of a Katakana word counts on its own, at half the word's weight,
        # so a compound meets the Latin words it renders in proportion to the sounds they share.
        for form in name.forms:
            for pos, (tok, skel) in enumerate(zip(form.tokens, form.skeletons, strict=True)):
                if is_kana_shaped(tok):
                    for gram in skeleton_trigrams(skel):
                        grams.add(("g", gram))
                        groups.setdefault(("g", gram), set()).add(gram)
                        weights[("g", gram)] = max(weights.get(("g", gram), 0.0), 0.5 * form.weights[pos])
    if name.native is not None:
        for tok in name.native.tokens:
            groups.setdefault(("n", tok), set()).add("n" + tok)
    return [(g, weights[k] if k in grams else max(0.5, weights.get(k, 1.0))) for k, g in groups.items() if g]


def _form_keys(form: NameForm, groups: dict[object, set[str]], with_skeleton: bool, kana: int) -> None:
    for pos, (tok, key, skel) in enumerate(zip(form.tokens, form.keys, form.skeletons, strict=True)):
        if len(tok) == 1:
            continue  # initials block nothing
        keys = groups.setdefault(pos, set())
        keys.add("k" + key)
        if len(key) >= MIN_DELETE_LEN:
            keys.update("k" + d for d in deletions(key))
        if tok != key and len(tok) >= MIN_DELETE_LEN:
            # The spelling's own one-edit neighbourhood too: "Lakahl" must meet "Lakhal" even
            # though the phonetic key folded "kh" away on one side only.
            keys.add("k" + tok)
            keys.update("k" + d for d in deletions(tok))
        if kana and len(tok) >= 3:
            kkey = kana_key(tok, kana == 2)
            keys.add("j" + kkey)
            if len(kkey) >= MIN_DELETE_LEN:
                keys.update("j" + d for d in deletions(kkey))
        if with_skeleton and len(skel) >= 2:
            keys.add("s" + skel)
            if len(skel) >= 4:
                keys.update("s" + d for d in deletions(skel))
    for pos, (left, right) in enumerate(zip(form.tokens, form.tokens[1:], strict=False)):
        if len(left) > 1 and len(right) > 1:
            groups.setdefault(("j", pos), set()).add("k" + phonetic_key(left + right))
    if kana == 1:  # list names: skeleton trigrams of each word and of each pair written as one
        grams = groups.setdefault("g", set())
        for pos, tok in enumerate(form.tokens):
            grams.update(skeleton_trigrams(form.skeletons[pos]))
            if pos:
                grams.update(skeleton_trigrams(skeleton(form.tokens[pos - 1] + tok)))


def skeleton_trigrams(skel: str) -> set[str]:
    """Three-consonant-class pieces of a skeleton: a Katakana compound (ツタエフモーター) shares
    several with the Latin words it renders ("Tutaev Motor"), wherever the word breaks fall."""
    return {"g" + skel[i : i + 3] for i in range(len(skel) - 2)}


class NameIndex:
    """Inverted index over parsed list names (ids are positions in the ``names`` sequence).

    Keys are stored as 64-bit hashes in one sorted array (CSR layout): no per-key Python
    objects, so the full SDN + UN index stays in tens of megabytes and builds in seconds.
    """

    def __init__(self, names: Sequence[ParsedName]) -> None:
        hashes: list[int] = []
        owners: list[int] = []
        sizes: list[int] = []
        for name_id, name in enumerate(names):
            keys = name_keys(name, with_skeleton=True, indexing=True)
            sizes.append(max((len(f.tokens) for f in name.forms), default=0))
            hashes.extend(hash(k) for k in keys)
            owners.extend([name_id] * len(keys))
        self.size = len(names)
        # Exact ties (the same keys matched) may go to the shorter name: "LLC Center" before the
        # hundred longer names that also contain "center".
        self._tie_break = np.asarray(sizes, dtype=np.float32) * np.float32(1e-3)
        key_arr = np.asarray(hashes, dtype=np.int64)
        id_arr = np.asarray(owners, dtype=np.int32)
        order = np.argsort(key_arr, kind="stable")
        key_arr = key_arr[order]
        self._postings = id_arr[order]
        self._keys, starts, counts = np.unique(key_arr, return_index=True, return_counts=True)
        self._starts = starts.astype(np.int64)
        self._counts = counts.astype(np.int64)
        self._idf = np.log1p(self.size / counts).astype(np.float32)

    @property
    def nbytes(self) -> int:
        """Memory held by the index arrays."""
        return int(self._keys.nbytes + self._starts.nbytes + self._counts.nbytes + self._postings.nbytes
                   + self._idf.nbytes + self._tie_break.nbytes)

    def candidates(self, query: ParsedName, limit: int,
                   mask: npt.NDArray[np.float32] | None = None, translated: bool = False) -> list[int]:
        """Ids of the ``limit`` names sharing the most (IDF-weighted) keys with ``query``.

        ``translated`` is for Japanese and Chinese queries, whose generic words were translated and
        match hundreds of list names: their keys count with the words' role weight, and exact ties
        go to names with fewer tokens."""
        if translated:
            weighted = weighted_key_groups(query, with_skeleton=query.use_skeleton)
        else:
            weighted = [(g, 1.0) for g in key_groups(query, with_skeleton=query.use_skeleton)]
        if not weighted or self.size == 0:
            return []
        # Each query token adds, per list name, the IDF of its best key only: a long token's many
        # one-deletion keys must not outweigh a rare surname. Work only on the postings touched.
        all_ids: list[npt.NDArray[np.int32]] = []
        all_weights: list[npt.NDArray[np.float32]] = []
        for group, group_weight in weighted:
            wanted = np.fromiter((hash(k) for k in group), dtype=np.int64, count=len(group))
            pos = np.searchsorted(self._keys, wanted)
            inside = pos < len(self._keys)
            pos, wanted = pos[inside], wanted[inside]
            pos = pos[self._keys[pos] == wanted]
            if len(pos) == 0:
                continue
            if len(pos) == 1:
                p = pos[0]
                all_ids.append(self._postings[self._starts[p]: self._starts[p] + self._counts[p]])
                all_weights.append(np.full(int(self._counts[p]), self._idf[p] * group_weight, dtype=np.float32))
                continue
            pos = pos[np.argsort(-self._idf[pos], kind="stable")]  # best key first
            ids = np.concatenate([self._postings[self._starts[p]: self._starts[p] + self._counts[p]] for p in pos])
            weights = np.repeat(self._idf[pos], self._counts[pos])
            unique_ids, first = np.unique(ids, return_index=True)  # first occurrence = best key
            all_ids.append(unique_ids.astype(np.int32))
            all_weights.append(weights[first] * np.float32(group_weight))
        if not all_ids:
            return []
        hits, inverse = np.unique(np.concatenate(all_ids), return_inverse=True)
        hit_scores = np.bincount(inverse, weights=np.concatenate(all_weights)).astype(np.float32)
        if translated:
            hit_scores -= self._tie_break[hits]
        if mask is not None:
            keep = mask[hits] > 0
            hits, hit_scores = hits[keep], hit_scores[keep]
        if len(hits) == 0:
            return []
        k = min(limit, len(hits))
        part = np.argpartition(-hit_scores, k - 1)[:k]
        part = part[np.argsort(-hit_scores[part], kind="stable")]
        top = hits[part]
        scores = hit_scores[part]
        # Names sharing far less key weight than the best candidate cannot outscore it on names.
        floor = float(scores[0]) * RELATIVE_FLOOR
        return [int(i) for i, value in zip(top, scores, strict=True) if value > 0 and value >= floor]


def kind_mask(kinds: Iterable[str], allowed: frozenset[str]) -> npt.NDArray[np.float32]:
    return np.asarray([1.0 if k in allowed else 0.0 for k in kinds], dtype=np.float32)
