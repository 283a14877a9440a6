"""Katakana against Latin: the phonetic alignment, the translation glossary and the matcher together.

The pairs are general (loanwords, Russian names written in Katakana) or taken from the METI
Russia file, which is the tuning set; Belarus and third-country files stay held out.
"""

import pytest

from sanctrace.model.list_entry import EntityKind, EntryName, ListEntry
from sanctrace.screening import CustomerRecord, Screener
from sanctrace.screening.glossary import GLOSSARY_WORDS, same_concept, same_stem, translate_terms
from sanctrace.screening.japanese import katakana_to_latin
from sanctrace.screening.kana_match import is_kana_shaped, kana_latin_similarity, kana_phones, latin_phones
from sanctrace.screening.matcher import match_names
from sanctrace.screening.normalize import TokenRole, parse_name
from sanctrace.screening.screener import DEFAULT_THRESHOLD
from sanctrace.screening.translit import script_of

T = DEFAULT_THRESHOLD


def sim(kana: str, latin: str) -> float:
    return kana_latin_similarity(katakana_to_latin(kana), latin)


@pytest.mark.parametrize(
    ("kana", "latin"),
    [
        ("スホイ", "sukhoi"),  # ホ for Russian х (kh)
        ("ロスオボロンエクスポルト", "rosoboronexport"),  # added vowels, x = ks
        ("ヴァーティカル", "vertikal"),  # ヴ for v, r heard as a long vowel
        ("ハルケヴィチ", "kharkevich"),
        ("リビンスク", "rybinsk"),
        ("トレーディング", "trading"),
        ("ティジャーレット", "ticaret"),  # Turkish c
        ("アビエーション", "aviation"),  # -tion is シ ョ ン
        ("モスクワ", "moscow"),
    ],
)
def test_katakana_renderings_align_with_their_latin_spelling(kana: str, latin: str) -> None:
    assert sim(kana, latin) >= 0.8, (kana, latin, sim(kana, latin))


@pytest.mark.parametrize(
    ("kana", "latin"),
    [("プーチン", "potanin"), ("ツポレフ", "splav"), ("スホイ", "sokol"), ("ミンスク", "moscow"),
     ("アスタナ", "astrakhan")],
)
def test_different_words_stay_apart(kana: str, latin: str) -> None:
    assert sim(kana, latin) < 0.65, (kana, latin, sim(kana, latin))


def test_added_vowels_cost_little_and_consonants_cost_a_point() -> None:
    phones = kana_phones("kidomateku")
    assert [p for p, _ in phones] == list("kidomateku")
    added = {p: cost for p, cost in phones[3:4]}
    assert added == {"o": 0.1}  # ド after d: the o is added
    assert latin_phones("khimiya")[0] == ("h", 0.4)
    assert [p for p, _ in latin_phones("shchuka")][:2] == ["S", "C"]


def test_kana_shape_tells_romanised_katakana_from_english() -> None:
    assert is_kana_shaped("suhoi") and is_kana_shaped("vrajiimiru") and is_kana_shaped("irukuuto")
    assert not is_kana_shaped("shipbuilding") and not is_kana_shaped("technology")


def test_glossary_segments_kanji_by_longest_match() -> None:
    assert translate_terms("統一造船会社").split() == ["united", "shipbuilding", "company"]
    assert translate_terms("造船所").split() == ["shipyard"]  # not 造船 + 所
    assert "research" in translate_terms("研究所") and "institute" in translate_terms("研究所")
    # A short Katakana loanword inside a longer Katakana name is part of the name.
    assert "technology" not in translate_terms("ロステック")


def test_interchangeable_renderings_and_inflections() -> None:
    assert same_concept("plant", "factory") and same_concept("bureau", "directorate")
    assert not same_concept("plant", "bureau")
    assert same_stem("physics", "physical") and same_stem("technology", "technologies")
    assert not same_stem("state", "statistics") and not same_stem("moscow", "moskvich")


def test_translated_words_are_generic_in_a_japanese_name() -> None:
    parsed = parse_name("株式会社統一造船会社", True, False)
    roles = dict(zip(parsed.forms[0].tokens, parsed.forms[0].roles, strict=True))
    assert roles["united"] is TokenRole.GENERIC and "shipbuilding" in GLOSSARY_WORDS
    assert {"jsc", "ltd"} <= parsed.legal_forms  # 株式会社 renders an AO as well as a "Co., Ltd."


def test_kanji_with_latin_letters_is_read_as_kanji() -> None:
    assert script_of("有限会社Ineko") == "Hani"
    assert script_of("BSVT新技術") == "Hani"
    tokens = parse_name("有限会社Ineko", True, False).forms[0].tokens
    assert "ineko" in tokens


@pytest.mark.parametrize(
    ("japanese", "english"),
    [
        ("株式会社スホイ", "Sukhoi Company JSC"),
        ("連邦保安庁", "Federal Security Service (FSB)"),
        ("統一造船会社", "United Shipbuilding Corporation"),
        ("応用化学科学研究所", "Scientific Research Institute of Applied Chemistry"),
        ("公開株式会社ロスオボロンエクスポルト", "Rosoboronexport OJSC (ROE)"),
        ("有限会社ヴァーティカル", "Vertikal LLC"),
        ("第5造船所", "5th Shipyard"),
        ("株式会社学術生産企業サプフィル", "Joint Stock Company Research and Production Enterprise Sapfir"),
    ],
)
def test_japanese_organisation_names_match_their_english_names(japanese: str, english: str) -> None:
    assert match_names(japanese, english, "organization")[0] >= T, (japanese, english)


@pytest.mark.parametrize(
    ("japanese", "english"),
    [
        ("連邦保安庁", "Federal Protective Service"),
        ("統一造船会社", "United Aircraft Corporation"),
        ("株式会社スホイ", "Sokol Aviation JSC"),
        ("応用化学科学研究所", "Scientific Research Institute of Applied Acoustics"),
    ],
)
def test_japanese_organisation_names_do_not_match_other_bodies(japanese: str, english: str) -> None:
    assert match_names(japanese, english, "organization")[0] < T, (japanese, english)


def test_katakana_person_names_keep_their_precision() -> None:
    assert match_names("ウラジーミル・プーチン", "Vladimir Putin")[0] >= T
    assert match_names("ウラジーミル・プーチン", "Vladimir Potanin")[0] < T
    assert match_names("광수 이", "WANG Ssu")[0] < T  # Korean is not read as Katakana


def _org(idx: int, name: str) -> ListEntry:
    return ListEntry(f"t:{idx}", "t", str(idx), EntityKind.ORGANIZATION, names=[EntryName(name)])


def test_screener_finds_a_katakana_name_among_many_sharing_its_generic_words() -> None:
    """Sixty institutes share every translated generic word with the query; only the Katakana
    proper name tells them apart. A Katakana compound must also meet two Latin words."""
    fillers = ["Alpha", "Boreas", "Cygnus", "Delta", "Electra", "Fotos", "Granit", "Horizont", "Iskra", "Jupiter",
               "Kristall", "Luch", "Mayak", "Neptun", "Orion", "Pulsar"]
    entries = [_org(i, f"Scientific Research Institute of Technology {fillers[i % 16]} {i}") for i in range(60)]
    # Unrelated bodies, so the shared generic words are common but not everywhere (moderate IDF).
    words = [a + b + c for a in ("ka", "lo", "mi", "ner", "sto") for b in ("ban", "dor", "gel", "vik")
             for c in ("ov", "ex", "um")]
    entries += [_org(200 + k, f"{w.title()} Trading House") for k, w in enumerate(words * 4)]
    entries.append(_org(100, "Skolkovo Institute of Science and Technology"))
    entries.append(_org(101, "Tutaev Motor Plant PJSC"))
    screener = Screener(entries, "test")
    top = screener.screen(CustomerRecord("q", "スコルコヴォ科学技術研究所", "company")).matches
    assert top and top[0].entity_id == "t:100", top[:3]
    top = screener.screen(CustomerRecord("q", "公共株式会社ツタエフモーター工場", "company")).matches
    assert top and top[0].entity_id == "t:101", top[:3]
