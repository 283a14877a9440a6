"""Japanese names to Latin: full- and half-width Katakana, Hiragana and Kanji.

Japanese exchanges hold customer names in Kanji and full-width Katakana and bank names in
half-width Katakana, while the lists hold Latin and Cyrillic. Three things make this work:

* NFKC first, so half-width ``ｳﾗｼﾞｰﾐﾙ`` becomes ``ウラジーミル``; Hiragana is folded to Katakana.
* Our own Katakana table for *foreign* words (ICU's Katakana-Latin renders ヴィ as ``vu~i``):
  ヴィ/ビ, ティ, ディ, ファ, ツァ... map to the sounds they stand for, the long-vowel mark ー
  and the small ッ are dropped, and the middle dot ・ or ＝ separates name parts.
* Kanji through pykakasi (Hepburn readings of Japanese words; Chinese-only text goes
  through ICU pinyin in :mod:`translit`). pykakasi is loaded on first use (~0.5 s).

The Latin we produce keeps the epenthetic vowels Japanese adds (ウラジーミル → ``urajimiru``);
:func:`sanctrace.screening.phonetic.skeleton` removes them when comparing across scripts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_BASE = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so",
    "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to",
    "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo",
    "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n", "ヴ": "vu",
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ャ": "ya", "ュ": "yu", "ョ": "yo", "ヮ": "wa",
}

# Two-kana sounds used for foreign words; checked before single kana.
_PAIRS = {
    "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo", "ヴュ": "vyu",
    "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du", "テュ": "tyu", "デュ": "dyu",
    "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "フュ": "fyu",
    "ツァ": "tsa", "ツィ": "tsi", "ツェ": "tse", "ツォ": "tso",
    "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "クァ": "kwa", "グァ": "gwa",
    "シェ": "she", "ジェ": "je", "チェ": "che", "イェ": "ye",
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "シャ": "sha", "シュ": "shu", "ショ": "sho", "ジャ": "ja", "ジュ": "ju", "ジョ": "jo",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo",
}

NAME_SEPARATORS = "・＝=･"

# Japanese legal forms, matched on the raw text before romanisation. A Japanese form is a
# translation and covers several foreign ones: 株式会社 renders a Russian AO/PAO as well as a
# Chinese "Co., Ltd." or an "Inc."; 有限会社 renders both an LLC and a "Limited".
JAPANESE_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "非公開株式会社": ("jsc",), "公開株式会社": ("jsc",), "公共株式会社": ("jsc",),
    "有限責任事業組合": ("llc",), "株式会社": ("jsc", "ltd", "inc"), "有限責任会社": ("llc", "ltd"),
    "有限会社": ("llc", "ltd"), "合同会社": ("llc",), "連邦国家単一企業": ("sue",), "国家単一企業": ("sue",),
}
# Longest first, so 公開株式会社 is taken before 株式会社.
JAPANESE_LEGAL_FORMS_SORTED: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    sorted(JAPANESE_LEGAL_FORMS.items(), key=lambda kv: -len(kv[0]))
)


def to_katakana(text: str) -> str:
    """NFKC (half-width → full-width) and Hiragana → Katakana."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def katakana_to_latin(text: str) -> str:
    """Katakana (foreign-word conventions) → lower-case Latin; other characters pass through."""
    out: list[str] = []
    i = 0
    # Word-initial ウ before ラ-row renders a Russian "Vl"/"Wl" (ウラジーミル = Vladimir).
    if len(text) > 1 and text[0] == "ウ" and text[1] in "ラリルレロ":
        out.append("v")
        i = 1
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _PAIRS:
            out.append(_PAIRS[pair])
            i += 2
            continue
        ch = text[i]
        if ch == "ー":  # long vowel mark: the vowel again (kept apart from epenthetic vowels)
            if out and out[-1] and out[-1][-1] in "aeiou":
                out.append(out[-1][-1])
            i += 1
            continue
        if ch == "ッ":  # geminate: no letter of its own
            i += 1
            continue
        out.append(_BASE.get(ch, ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi  # loaded on first Kanji only

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def japanese_to_latin(text: str) -> str:
    """A Japanese name (Katakana, Hiragana, Kanji, mixed) → Latin words separated by spaces.

    Kanji runs are read with pykakasi; Katakana goes through our table. The middle dot and
    the double hyphen ＝ become spaces (they separate given and family names).
    """
    kata = to_katakana(text)
    for sep in NAME_SEPARATORS:
        kata = kata.replace(sep, " ")
    # Latin letters glued to Japanese ("NPPイストック") are a word of their own.
    kata = re.sub(r"(?<=[A-Za-z0-9])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[A-Za-z0-9])", " ", kata).lower()
    if not any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in kata):
        return " ".join(katakana_to_latin(word) for word in kata.split())
    parts: list[str] = []
    for item in _kakasi().convert(kata):
        orig = str(item["orig"])
        if orig.isascii():
            parts.append(orig.lower())
            continue
        if any("\u30a0" <= c <= "\u30ff" for c in orig):
            parts.append(katakana_to_latin(orig))
        else:
            reading = str(item["hepburn"])
            # Hepburn long vowels written out by pykakasi: "tarou" → "taro", "yuuki" → "yuki".
            parts.append(reading.replace("ou", "o").replace("uu", "u"))
    return " ".join(p for p in parts if p.strip())
