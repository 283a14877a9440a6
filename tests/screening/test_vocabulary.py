import pytest

from sanctrace.screening.normalize import parse_name
from sanctrace.screening.vocabulary import extract_legal_forms, is_patronymic, patronymic_stem


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Argut OOO", "llc"), ("ООО Аргут", "llc"), ("Argut LLC", "llc"), ("有限責任会社アルグト", "llc"),
        ("Gazprom PJSC", "jsc"), ("PAO Gazprom", "jsc"), ("ПАО Газпром", "jsc"), ("Gazprom JSC", "jsc"),
        ("АО Газпром", "jsc"), ("株式会社アドミラルティ造船所", "jsc"), ("Nordic Star Pte. Ltd.", "ltd"),
        ("Siemens GmbH", "llc"), ("Siemens AG", "jsc"), ("Tallinn Trade OÜ", "llc"),
        ("Siemens Aktiengeselschaft", "jsc"),
    ],
)
def test_legal_forms_normalised_across_languages(name: str, form: str) -> None:
    parsed = parse_name(name, True, False)
    assert form in parsed.legal_forms
    assert all(form not in f.tokens for f in parsed.forms)


def test_legal_form_alone_stays_a_name() -> None:
    rest, forms = extract_legal_forms(["ooo"])
    assert rest == ["ooo"] and not forms


def test_short_legal_form_only_at_the_ends() -> None:
    rest, forms = extract_legal_forms(["banco", "sa", "brasil"])
    assert rest == ["banco", "sa", "brasil"] and not forms


def test_patronymics() -> None:
    for token in ("vladimirovich", "wladimirowitsch", "volodymyrovych", "nikolaevna", "vladimirovitch"):
        assert is_patronymic(token), token
    assert not is_patronymic("vladimir")
    assert patronymic_stem("volodymyrovych") == "volodymyr"


def test_longer_legal_form_one_word_later_wins() -> None:
    rest, forms = extract_legal_forms(["military", "industrial", "company", "limited", "liability", "company"])
    assert rest == ["military", "industrial", "company"] and forms == {"llc"}
    rest, forms = extract_legal_forms(["alpha", "company", "limited"])
    assert rest == ["alpha"] and forms == {"ltd"}
