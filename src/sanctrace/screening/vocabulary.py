"""Words that are part of a name but say little about *which* party it is.

Legal forms are normalised across languages to a few canonical tokens (``llc``, ``jsc``,
``ltd``...) and kept apart from the name tokens: "Argut OOO", "ООО Аргут", "Argut LLC" and
"有限責任会社アルグト" all become tokens ``argut`` + legal form ``llc``. The legal form then counts
only as a small feature, so two different companies that share "LLC" do not look alike.

Titles ("President", "Президент", "elnök") are dropped from person names but remembered:
a title with a lone surname ("Präsident Putin") designates one person more strongly than a
bare surname does. Particles (al, bin, von, de) and generic organisation words (company,
group, holding) stay in the name with a low weight.
"""

from __future__ import annotations

import re

from sanctrace.screening.phonetic import phonetic_key

# canonical form -> spellings, as lower-case ASCII token sequences (after transliteration).
_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "llc": (
        "llc", "l l c", "ooo", "limited liability company", "limited liability partnership",
        "obshchestvo s ogranichennoi otvetstvennostiu", "obshchestvo s ogranichennoy otvetstvennostyu",
        "obshestvo s ogranichennoi otvetstvennostu", "tov", "too", "gmbh", "sarl", "s a r l", "srl",
        "s r l", "sp z o o", "spolka z ograniczona odpowiedzialnoscia", "ou", "mchj", "llp", "l l p",
        "societatea cu raspundere limitata", "gesellschaft mit beschrankter haftung", "spzoo", "sp zoo",
        "tovarystvo z obmezhenoiu vidpovidalnistiu", "obshchestvo s ogranichennoi otvetstvennostyu",
    ),
    "jsc": (
        "jsc", "ojsc", "cjsc", "pjsc", "ao", "oao", "zao", "pao", "nao", "jscb", "ojscb",
        "joint stock company", "open joint stock company", "closed joint stock company",
        "public joint stock company", "non public joint stock company", "joint-stock company",
        "aktsionernoe obshchestvo", "aktsionernoye obshchestvo", "publichnoe aktsionernoe obshchestvo",
        "otkrytoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
        "ag", "aktiengesellschaft", "sa", "s a", "kk", "kabushiki kaisha", "kabushikigaisha",
        "as", "a s", "ad", "pjsc bank", "anonim sirketi", "anonim sti", "js company", "js co",
    ),
    "ltd": ("ltd", "limited", "pte ltd", "pte", "pty ltd", "pty", "private limited", "private limited company",
            "co ltd", "company limited", "limited sirketi", "ltd sti",
            "fze", "fzco", "fzc", "fz llc", "dmcc", "bv", "b v", "nv", "n v"),
    "plc": ("plc", "p l c", "public limited company"),
    "inc": ("inc", "incorporated", "corp", "corp ltd", "corporation"),
    "lp": ("lp", "l p", "limited partnership"),
    "npo": ("ano", "npo", "ngo", "avtonomnaya nekommercheskaya organizatsiya", "non profit organization",
            "non-profit organization", "fond"),
    "vessel": ("mv", "m v", "mt", "m t", "ss", "m s", "ms"),
    "sue": ("fgup", "fsue", "gup", "mup", "federal state unitary enterprise", "state unitary enterprise"),
}

_LEGAL_INDEX: dict[tuple[str, ...], str] = {}
for _canon, _spellings in _LEGAL_FORMS.items():
    for _spelling in _spellings:
        _LEGAL_INDEX[tuple(_spelling.replace("-", " ").split())] = _canon
_MAX_LEGAL_LEN = max(len(k) for k in _LEGAL_INDEX)

TITLES: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "president", "prasident", "presidente",
    "predsjednik", "presedintele", "presiden", "prezident", "president's", "elnok", "prezydent",
    "prime", "minister", "premier", "general", "gen", "colonel", "col", "major", "captain", "admiral",
    "sheikh", "shaykh", "sheik", "hajji", "haji", "mullah", "maulvi", "mawlawi", "qari", "daitoryo",
    "shusho", "gospodin", "senator", "judge", "his", "her", "excellency", "h e", "monsieur", "madame", "mme",
    "herr", "frau", "senor", "senora", "sr", "sra", "don", "dona", "signor", "signora", "mister", "gospozha",
})

# Common abbreviations in organisation names, expanded before comparison.
ABBREVIATIONS: dict[str, str] = {
    "intl": "international", "int": "international", "natl": "national", "bros": "brothers",
    "mfg": "manufacturing", "assn": "association", "assoc": "association", "dept": "department",
    "univ": "university", "hldgs": "holdings", "hldg": "holding", "grp": "group", "mgmt": "management",
    "svcs": "services", "svc": "services", "inds": "industries", "ind": "industries", "tech": "technology",
    "eng": "engineering", "dev": "development", "invest": "investment", "st": "saint", "co": "company",
}

PARTICLES: frozenset[str] = frozenset({
    "al", "el", "bin", "ibn", "bint", "ben", "abu", "bn", "ould", "de", "da", "do", "dos", "das", "del",
    "della", "di", "du", "la", "le", "van", "von", "der", "den", "ter", "y", "e", "ul", "ud", "ur",
})

GENERIC_ORG_WORDS: frozenset[str] = frozenset({
    "company", "co", "corporation", "group", "holding", "holdings", "international", "intl", "trading",
    "trade", "services", "service", "industries", "industrial", "enterprise", "enterprises", "the", "of",
    "and", "for", "firm", "obshchestvo", "kompaniya", "gruppa", "global", "management", "investment",
    "investments", "capital", "partners", "bank", "fund", "foundation", "association", "organization",
    "organisation", "institute", "center", "centre", "research", "federal", "state", "national", "joint",
    "stock", "limited", "production", "scientific", "plant", "factory", "zavod", "llc", "ltd",
    "technologies", "technology", "systems", "solutions", "logistics", "shipping", "maritime", "marine",
    "engineering", "energy", "oil", "gas", "construction", "development", "import", "export", "et",
    "und", "ve", "i", "im", "imeni", "named", "after", "a", "an",
})

STOPWORDS: frozenset[str] = frozenset({"the", "of", "and", "for", "a", "an", "und", "et", "i", "y", "ve"})

_PATRONYMIC = re.compile(
    r"(?:[oea][vw](?:i|y|ii)?(?:ch|c|tch|tsch|tj|tsj|tx|cz|ci|cs|tch|ich|itch|itsch)"
    r"|[oe]vn[ay]|ovna|evna|ichna|ivna|yevich|ievich|ovych|evych|ovytch|ovics|ovici|avic|avich)$"
)


def is_patronymic(token: str) -> bool:
    """Russian/Ukrainian/Belarusian patronymics in any common romanisation (Vladimirovich, -owitsch, -ovna)."""
    return len(token) >= 7 and _PATRONYMIC.search(token) is not None


# The same spellings by phonetic key, so a typo'd form ("Joynt Stock Company") is still found.
_LEGAL_KEYS: dict[tuple[str, ...], str] = {tuple(phonetic_key(t) for t in k): v for k, v in _LEGAL_INDEX.items()}

_LONG_FORMS = tuple(k[0] for k in _LEGAL_INDEX if len(k) == 1 and len(k[0]) >= 8)


def _fuzzy_legal_form(token: str) -> str | None:
    """A long single-word legal form with a typo ("Aktiengeselschaft")."""
    if len(token) < 8:
        return None
    from rapidfuzz.distance import OSA

    for form in _LONG_FORMS:
        if abs(len(form) - len(token)) <= 2 and OSA.distance(form, token) <= 2:
            return _LEGAL_INDEX[(form,)]
    return None


_PATRONYMIC_SUFFIX = re.compile(
    r"(?:ovich|evich|ovych|evych|ovitch|evitch|owitsch|ewitsch|ovic|evic|ovici|ovics|ovitj|ovitsj|owicz"
    r"|ewicz|avich|avic|ovna|evna|ivna|ichna)$"
)


def patronymic_stem(token: str) -> str | None:
    """The father's given name inside a patronymic ("volodymyrovych" → "volodymyr"), else None."""
    if len(token) < 7:
        return None
    match = _PATRONYMIC_SUFFIX.search(token)
    return token[: match.start()] if match else None


def _exact_legal_span(tokens: list[str], i: int) -> int:
    """Length of the longest exact legal-form spelling starting at ``tokens[i]`` (0 if none)."""
    for size in range(min(_MAX_LEGAL_LEN, len(tokens) - i), 1, -1):
        if tuple(tokens[i : i + size]) in _LEGAL_INDEX:
            return size
    return 0


def extract_legal_forms(tokens: list[str]) -> tuple[list[str], set[str]]:
    """Remove legal-form spellings (longest first) from a token list; return the rest and the canonical forms."""
    rest: list[str] = []
    forms: set[str] = set()
    i = 0
    n = len(tokens)
    while i < n:
        matched = False
        for size in range(min(_MAX_LEGAL_LEN, n - i), 0, -1):
            span = tuple(tokens[i : i + size])
            canon = _LEGAL_INDEX.get(span)
            if canon is None and size >= 2:
                canon = _LEGAL_KEYS.get(tuple(phonetic_key(t) for t in span))
            if canon is None:
                continue
            if size >= 2 and i + 1 < n and _exact_legal_span(tokens, i + 1) > size:
                break  # "Company Limited Liability Company": the longer form starts one word later
            # A single short token ("as", "ao", "sa", "ou") is a legal form only at either end of the
            # name, never in the middle ("Banco do Brasil SA" vs "Ali Sa Ahmad").
            if size == 1 and len(tokens[i]) <= 3 and 0 < i < n - 1:
                continue
            if n - size <= 0:
                continue  # the whole name is a legal form: keep it as the name
            forms.add(canon)
            i += size
            matched = True
            break
        if not matched and n > 1 and (canon := _fuzzy_legal_form(tokens[i])) is not None:
            forms.add(canon)
            i += 1
            continue
        if not matched:
            rest.append(tokens[i])
            i += 1
    return rest, forms
