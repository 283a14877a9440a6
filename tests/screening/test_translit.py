from sanctrace.screening.japanese import japanese_to_latin, katakana_to_latin, to_katakana
from sanctrace.screening.translit import cyrillic_renderings, fold_latin, script_of, to_ascii


def test_script_detection() -> None:
    assert script_of("Vladimir Putin") == "Latn"
    assert script_of("Владимир Путин") == "Cyrl"
    assert script_of("ウラジーミル・プーチン") == "Jpan"
    assert script_of("有限責任会社アルグト") == "Jpan"
    assert script_of("习近平") == "Hani"
    assert script_of("김정은") == "Hang"
    assert script_of("فلاديمير بوتين") == "Arab"


def test_cyrillic_renderings_cover_several_schemes() -> None:
    putin = cyrillic_renderings("Владимир Путин")
    assert "vladimir putin" in putin  # BGN/PCGN, ICAO
    assert "wladimir putin" in putin  # German
    assert any("poutin" in r for r in putin)  # French
    timchenko = " ".join(cyrillic_renderings("Тимченко Геннадий"))
    assert "timchenko" in timchenko and "timtschenko" in timchenko and "timtchenko" in timchenko


def test_ukrainian_letters_survive_bgn() -> None:
    assert "putin volodymyr" in cyrillic_renderings("Путін Володимир")[0] or any(
        r.startswith("putin vol") for r in cyrillic_renderings("Путін Володимир"))


def test_fold_latin_strips_diacritics() -> None:
    assert fold_latin("Vladímír Pútín") == "vladimir putin"
    assert fold_latin("Władimir") == "wladimir"
    assert to_ascii("Ψ") != "Ψ"


def test_half_width_katakana_and_hiragana_fold_to_katakana() -> None:
    assert to_katakana("ｳﾗｼﾞｰﾐﾙ") == "ウラジーミル"
    assert to_katakana("うらじーみる") == "ウラジーミル"


def test_katakana_foreign_word_conventions() -> None:
    assert katakana_to_latin("ヴィクトル") == "vikutoru"
    assert katakana_to_latin("ビクトル") == "bikutoru"
    assert katakana_to_latin("プーチン") == "puuchin"  # long-vowel mark: the vowel again
    assert katakana_to_latin("ティムチェンコ") == "timuchenko"


def test_middle_dot_separates_names() -> None:
    assert japanese_to_latin("ウラジーミル・プーチン") == "vrajiimiru puuchin"  # ウラ = Vla


def test_kanji_read_with_japanese_readings() -> None:
    assert japanese_to_latin("山田太郎").replace(" ", "") == "yamadataro"
