import pytest

from sanctrace.screening.nexus import email_reason, phone_country, russia_nexus


@pytest.mark.parametrize(
    ("phone", "country"),
    [("+7 495 123 45 67", "RU"), ("+7 916 123 45 67", "RU"), ("8 916 123 45 67", "RU"),
     ("+7 701 123 4567", "KZ"), ("+7 727 123 4567", "KZ"), ("+81 3 1234 5678", "JP"), ("12345", None)],
)
def test_phone_country_uses_the_numbering_plan(phone: str, country: str | None) -> None:
    assert phone_country(phone) == country


def test_email_domains() -> None:
    assert email_reason("a@mail.ru") == "email_provider"
    assert email_reason("a@yandex.ru") == "email_provider"
    assert email_reason("a@company.ru") == "email_domain"
    assert email_reason("a@пример.рф") == "email_domain"
    assert email_reason("a@example.jp") is None


def test_every_reason_is_reported() -> None:
    reasons = russia_nexus(nationality="Russian", country="JP", document_country="RUS", phone="+7 916 1234567",
                           email="x@bk.ru", address="ул. Тверская 1, Москва", ip_country="RU")
    kinds = [r.reason for r in reasons]
    assert kinds == ["nationality", "document_country", "ip_country", "phone_country", "email_provider",
                     "address_city", "address_cyrillic"]


def test_no_nexus() -> None:
    assert russia_nexus(nationality="JP", phone="+7 701 555 0104", email="a@example.kz",
                        address="Almaty, Abay Ave 10", ip_country="KZ") == []


def test_address_city_in_latin() -> None:
    assert [r.reason for r in russia_nexus(address="6 Mnevniki str, Moscow 123308")] == ["address_city"]
