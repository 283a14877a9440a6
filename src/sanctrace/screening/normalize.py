"""Parse one name string into comparable forms: latinised tokens with keys and weights.

A :class:`ParsedName` holds one :class:`NameForm` per plausible Latin rendering (one for Latin
input, up to five for Cyrillic, two for Chinese-or-Japanese Kanji), the canonical legal forms
and titles that were taken out, and whether the name came from a script where the coarse
skeleton comparison is needed. Everything the matcher and the index need is computed here once
per list name, so a query costs only the comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from sanctrace.screening.glossary import GLOSSARY_WORDS, translate_terms
from sanctrace.screening.japanese import JAPANESE_LEGAL_FORMS_SORTED, japanese_to_latin
from sanctrace.screening.phonetic import phonetic_key, skeleton
from sanctrace.screening.translit import cyrillic_renderings, fold_latin, script_of, to_ascii
from sanctrace.screening.vocabulary import (
    ABBREVIATIONS,
    GENERIC_ORG_WORDS,
    PARTICLES,
    STOPWORDS,
    TITLES,
    extract_legal_forms,
    is_patronymic,
)

# Scripts whose Latin rendering loses vowels (abjads) or adds them (syllabaries): compare skeletons.
SKELETON_SCRIPTS = frozenset({"Jpan", "Kana", "Hani", "Hang", "Arab", "Hebr", "Othr", "Grek"})


class TokenRole(StrEnum):
    NAME = "name"
    PATRONYMIC = "patronymic"
    PARTICLE = "particle"
    GENERIC = "generic"
    NUMBER = "number"
    STOPWORD = "stopword"
    INITIAL = "initial"


ROLE_WEIGHT: dict[TokenRole, float] = {
    TokenRole.NAME: 1.0,
    TokenRole.PATRONYMIC: 0.35,
    TokenRole.PARTICLE: 0.15,
    TokenRole.GENERIC: 0.3,
    # Series numbers (Fund III / IV, Trust 2004-1 / 2004-2) mark siblings of one family of names:
    # a different number lowers the score but is not a conflicting name.
    TokenRole.NUMBER: 0.3,
    TokenRole.STOPWORD: 0.05,
    TokenRole.INITIAL: 0.3,
}


@dataclass(frozen=True, slots=True)
class NameForm:
    tokens: tuple[str, ...]
    keys: tuple[str, ...]
    skeletons: tuple[str, ...]
    roles: tuple[TokenRole, ...]
    weights: tuple[float, ...]
    distinct: int = 0  # tokens with the NAME or NUMBER role

    @property
    def joined(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True, slots=True)
class ParsedName:
    original: str
    script: str
    forms: tuple[NameForm, ...]
    legal_forms: frozenset[str]
    titles: frozenset[str]
    use_skeleton: bool
    native: NameForm | None = None  # the name in its own script (non-Latin, non-Cyrillic only)

    @property
    def empty(self) -> bool:
        return not any(f.tokens for f in self.forms)


_SPLIT = re.compile(r"[^a-z0-9]+")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "first": "1", "second": "2", "third": "3", "1st": "1",
    "2nd": "2", "3rd": "3", "fourth": "4", "4th": "4", "fifth": "5", "5th": "5",
}


_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
_PARENTHESES = re.compile(r"\([^()]+\)")
_ACRONYM = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z]{2,8}$")
_LEET = str.maketrans("013457", "oieast")


def _tokenise(latin: str, is_org: bool) -> list[str]:
    latin = latin.replace("'", "").replace("\u02bc", "").replace("\u2019", "").replace("`", "")
    latin = latin.replace("&", " and ")
    tokens: list[str] = []
    letters_run = False
    for tok in _SPLIT.split(latin):
        if not tok:
            continue
        if is_org:
            tok = ABBREVIATIONS.get(tok, _NUMBER_WORDS.get(tok, tok))
            if _ORDINAL.match(tok):
                tok = tok[:-2]  # "35th Shipyard" is shipyard number 35 (第35造船所)
            if tok in _TENS:
                tok = str(_TENS[tok])
            elif tok.isdigit() and len(tok) == 1 and tokens and tokens[-1].isdigit() and tokens[-1].endswith("0") \
                    and len(tokens[-1]) == 2:
                tokens[-1] = tokens[-1][0] + tok  # "forty four" / "forty 4" → "44"
                continue
        if not tok.isdigit() and not tok.isalpha() and sum(c.isalpha() for c in tok) > len(tok) / 2 \
                and not tok[:2].isdigit():  # "46tsnii" is a number and a word, not leetspeak
            tok = tok.translate(_LEET)  # digits typed for look-alike letters: "Sech1n", "Ig0r"
        if is_org and len(tok) == 1 and tok.isalpha():
            if letters_run:
                tokens[-1] += tok  # "J.P." → "jp", "A.B.C." → "abc", "U.S." → "us"
                continue
            letters_run = True
        else:
            letters_run = False
        tokens.append(tok)
    return tokens


_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")


def _role(token: str, is_org: bool) -> TokenRole:
    if token.isdigit() or (is_org and len(token) <= 6 and _ROMAN.match(token) and token not in ("i", "l", "c")):
        return TokenRole.NUMBER
    if token in STOPWORDS and is_org:
        return TokenRole.STOPWORD
    if len(token) == 1:
        return TokenRole.INITIAL
    if token in PARTICLES and not is_org:
        return TokenRole.PARTICLE
    if is_org and (token in GENERIC_ORG_WORDS or token in STOPWORDS):
        return TokenRole.GENERIC
    if not is_org and is_patronymic(token):
        return TokenRole.PATRONYMIC
    return TokenRole.NAME


def _chinese_renderings(text: str) -> list[str]:
    """Pinyin syllables, joined the way Chinese names are written in Latin.

    Foreign names written in Chinese characters separate their parts with a middle dot
    (弗拉基米尔·普京): join the syllables of each part. Chinese names are family name first,
    one syllable, then the given name written as one word (习近平 → "xi jinping").
    """
    if "·" in text or "・" in text:
        parts = re.split(r"[·・]", text)
        return [" ".join(to_ascii(p).replace(" ", "") for p in parts if p.strip())]
    out: list[str] = []
    for word in text.split():
        syllables = to_ascii(word).split()
        out.append(syllables[0] + (" " + "".join(syllables[1:]) if len(syllables) > 1 else ""))
    return [" ".join(out)]


def _strip_marks(text: str) -> str:
    """Remove stress marks and other combining accents (Влади́мир), keep the letters."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn" or c in "\u3099\u309a")
    return unicodedata.normalize("NFC", kept)


_KANJI_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u3005]+")


def _translated(text: str) -> tuple[str, frozenset[str]]:
    """A Japanese organisation name with its generic words translated, and the tokens that are
    generic: the glossary's English words, and readings of Kanji the glossary does not know
    (a Japanese reading of an untranslated word cannot be compared with an English one)."""
    translated = translate_terms(text)
    unknown = {tok for run in _KANJI_RUN.findall(translated) for tok in japanese_to_latin(run).split()}
    return japanese_to_latin(translated), GLOSSARY_WORDS | unknown


def _renderings(text: str, script: str, is_org: bool) -> tuple[list[str], set[str], frozenset[str]]:
    """Latin renderings of ``text``, the legal forms taken out, and tokens to treat as generic."""
    forms: set[str] = set()
    if script in ("Jpan", "Kana") or (script == "Hani" and any("\u30a0" <= c <= "\u30ff" for c in text)):
        for jp_form, canon in JAPANESE_LEGAL_FORMS_SORTED:
            if jp_form in text:
                text = text.replace(jp_form, " ")
                forms.update(canon)
        if is_org:
            # Generic words of an organisation's name are translated, not romanised; Kanji the
            # glossary does not know are still read, so the plain reading adds nothing but noise.
            latin, generic = _translated(unicodedata.normalize("NFKC", text))
            return [latin], forms, generic
        return [japanese_to_latin(text)], forms, frozenset()
    if script == "Hani":
        # Kanji alone may be a Chinese or a Japanese name: keep both readings.
        kanji = unicodedata.normalize("NFKC", text)
        for jp_form, canon in JAPANESE_LEGAL_FORMS_SORTED:
            if jp_form in kanji:
                kanji = kanji.replace(jp_form, " ")
                forms.update(canon)
        renderings = [*_chinese_renderings(kanji), japanese_to_latin(kanji)]
        if is_org:  # a Japanese organisation name in Kanji only: translate the generic words
            translated, generic = _translated(kanji)
            if translated not in renderings:
                renderings.insert(0, translated)
            return renderings, forms, generic
        return renderings, forms, frozenset()
    if script == "Cyrl":
        return cyrillic_renderings(_strip_marks(text)), forms, frozenset()
    if script == "Latn":
        return [fold_latin(text)], forms, frozenset()
    return [to_ascii(text)], forms, frozenset()


@lru_cache(maxsize=1 << 16)
def parse_name(text: str, is_org: bool = False, is_person: bool = False) -> ParsedName:
    """Parse ``text`` (any script). ``is_org`` switches on legal forms and generic organisation words;
    ``is_person`` switches off legal-form detection (a person has none)."""
    clean = unicodedata.normalize("NFKC", text).strip()
    script = script_of(clean)
    latin_variants, legal, generic = _renderings(clean, script, is_org)
    if is_org and "(" in clean:
        # "Federal Security Service (FSB)": a bracketed acronym is another name of the same body, so
        # the name must also stand without it. Words in brackets ("Bank of China (Hong Kong)") stay.
        acronyms = [g for g in _PARENTHESES.findall(clean) if all(_ACRONYM.match(w) for w in g[1:-1].split())]
        for group in acronyms:
            latin_variants += [v.replace(group.lower(), " ") for v in latin_variants if group.lower() in v]
    titles: set[str] = set()
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()
    for latin in latin_variants:
        tokens = _tokenise(latin, is_org)
        if not is_person:
            tokens, found = extract_legal_forms(tokens)
            legal |= found
        if not is_org:
            kept = [t for t in tokens if t not in TITLES]
            if kept and len(kept) < len(tokens):
                titles |= {t for t in tokens if t in TITLES}
                tokens = kept
        key = tuple(tokens)
        if key in seen:
            continue
        seen.add(key)
        roles = tuple(TokenRole.GENERIC if t in generic and _role(t, is_org) is TokenRole.NAME else _role(t, is_org)
                      for t in tokens)
        if len(tokens) < 3:  # a patronymic comes with a given name and a surname ("Zdancewicz" is a surname)
            roles = tuple(TokenRole.NAME if r is TokenRole.PATRONYMIC else r for r in roles)
        forms.append(NameForm(
            tokens=key,
            keys=tuple(phonetic_key(t) for t in tokens),
            skeletons=tuple(skeleton(t) for t in tokens),
            roles=roles,
            weights=tuple(ROLE_WEIGHT[r] for r in roles),
            distinct=sum(1 for r in roles if r in (TokenRole.NAME, TokenRole.NUMBER)),
        ))
    native = None
    if script not in ("Latn", "Cyrl", "Zyyy"):
        words = tuple(w for w in re.split(r"[\W_]+", _strip_marks(clean).lower()) if w)
        native = NameForm(words, words, tuple("" for _ in words), tuple(TokenRole.NAME for _ in words),
                          tuple(1.0 for _ in words), len(words))
    return ParsedName(
        original=text,
        script=script,
        forms=tuple(forms),
        legal_forms=frozenset(legal),
        titles=frozenset(titles),
        # Chinese characters are read as pinyin, a real romanisation; only foreign names written
        # in them (parts joined by a middle dot: 弗拉基米尔·普京) need the skeleton.
        use_skeleton=script in SKELETON_SCRIPTS and (script != "Hani" or "·" in clean or "・" in clean),
        native=native,
    )
