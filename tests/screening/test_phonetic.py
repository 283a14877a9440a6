from sanctrace.screening.phonetic import deletions, phonetic_key, skeleton


def test_transliteration_variants_share_a_key() -> None:
    assert phonetic_key("wladimir") == phonetic_key("vladimir")
    assert phonetic_key("poutine") == phonetic_key("putin") == phonetic_key("poetin")
    assert phonetic_key("timtchenko") == phonetic_key("timchenko") == phonetic_key("timtschenko")
    assert phonetic_key("gennadiy") == phonetic_key("gennadi") == phonetic_key("guennadi")
    assert phonetic_key("wladimirowitsch") == phonetic_key("vladimirovich")


def test_different_names_keep_different_keys() -> None:
    assert phonetic_key("putin") != phonetic_key("potanin")
    assert phonetic_key("medvedev") != phonetic_key("medvedchuk")


def test_skeleton_bridges_abjad_and_syllabic_renderings() -> None:
    vladimir = skeleton("vladimir")
    assert skeleton("fladymyr") == vladimir  # Arabic
    assert skeleton("beulladimileu") == vladimir  # Korean
    assert skeleton("vurajimiru") == vladimir  # Japanese
    assert skeleton("puchin") == skeleton("putin")


def test_deletions() -> None:
    assert deletions("abc") == {"bc", "ac", "ab"}


def test_kana_key_drops_only_added_vowels() -> None:
    from sanctrace.screening.phonetic import kana_key

    assert kana_key("vrajiimiru", True) == kana_key("vladimir", False)
    assert kana_key("puuchin", True) == kana_key("putin", False)
    assert kana_key("tsuporefu", True) != kana_key("splav", False)
