"""Russia nexus: every reason a customer is connected to Russia, listed or not.

The FSA order covers any Russian person or entity, so this runs for every row and reports each
reason separately (an analyst must see *which* fact made the connection): nationality or
citizenship, residence or registration country, identity-document country, phone number
country (+7 is shared by Russia and Kazakhstan; the numbering plan decides: Kazakhstan holds
+7 6xx and +7 7xx), Russian cities or Cyrillic in the address, Russian e-mail domains and the
IP country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RUSSIA = "RU"

_RU_MAIL_DOMAINS = frozenset({
    "mail.ru", "yandex.ru", "ya.ru", "yandex.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru",
    "internet.ru", "lenta.ru", "autorambler.ru", "myrambler.ru", "ro.ru", "pochta.ru", "qip.ru",
    "vk.com", "mail.ua",
})
_RU_TLDS = (".ru", ".su", ".xn--p1ai", ".рф", ".moscow", ".xn--80adxhks", ".москва", ".tatar")

# Larger Russian cities and regions, Latin (several romanisations) and Cyrillic, lower case.
_RU_PLACES = frozenset({
    "moscow", "moskva", "moskau", "moscou", "saint petersburg", "st. petersburg", "st petersburg",
    "sankt-peterburg", "sankt peterburg", "st. peterburg", "petersburg", "novosibirsk", "yekaterinburg",
    "ekaterinburg", "kazan", "nizhny novgorod", "nizhniy novgorod", "chelyabinsk", "samara", "omsk",
    "rostov-on-don", "rostov-na-donu", "ufa", "krasnoyarsk", "voronezh", "perm", "volgograd",
    "krasnodar", "saratov", "tyumen", "tolyatti", "izhevsk", "barnaul", "irkutsk", "khabarovsk",
    "vladivostok", "yaroslavl", "makhachkala", "tomsk", "orenburg", "kemerovo", "novokuznetsk",
    "ryazan", "astrakhan", "penza", "lipetsk", "kaliningrad", "tula", "kursk", "sochi", "murmansk",
    "bratsk", "norilsk", "surgut", "yakutsk", "grozny", "sevastopol", "simferopol", "korolev",
    "skolkovo", "zelenograd", "podolsk", "khimki", "balashikha", "mytishchi", "lyubertsy",
    "москва", "санкт-петербург", "новосибирск", "екатеринбург", "казань", "нижний новгород",
    "челябинск", "самара", "омск", "ростов-на-дону", "уфа", "красноярск", "воронеж", "пермь",
    "волгоград", "краснодар", "иркутск", "владивосток", "хабаровск", "сочи", "калининград",
    "モスクワ", "サンクトペテルブルク", "ノヴォシビルスク", "ウラジオストク", "ロシア",
})
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_KAZAKHSTAN_PREFIXES = ("76", "77")


@dataclass(frozen=True, slots=True)
class NexusReason:
    reason: str
    value: str


def phone_country(phone: str) -> str | None:
    """ISO country of a phone number in international form; +7 split by the numbering plan."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("00"):
        digits = digits[2:]
    elif not phone.strip().startswith("+"):
        if len(digits) == 11 and digits[0] == "8":  # Russian domestic trunk prefix 8 (8 9xx ...)
            digits = "7" + digits[1:]
        elif not (len(digits) == 11 and digits[0] == "7"):
            return None
    try:
        import phonenumbers

        parsed = phonenumbers.parse("+" + digits, None)
        region = phonenumbers.region_code_for_number(parsed)
    except Exception:  # phonenumbers raises its own NumberParseException on garbage
        region = None
    if region and region != "ZZ":
        return str(region)
    if digits.startswith("7") and len(digits) == 11:
        return "KZ" if digits[1:3] in _KAZAKHSTAN_PREFIXES or digits[1] in "67" else "RU"
    return None


def email_reason(email: str) -> str | None:
    domain = email.strip().lower().rsplit("@", 1)[-1] if "@" in email else ""
    if not domain:
        return None
    if domain in _RU_MAIL_DOMAINS:
        return "email_provider"
    if domain.endswith(_RU_TLDS):
        return "email_domain"
    return None


def address_reasons(address: str) -> list[NexusReason]:
    reasons: list[NexusReason] = []
    lower = address.lower()
    words = set(re.split(r"[\s,;]+", lower))
    for place in _RU_PLACES:
        if ((" " in place or "-" in place or "." in place) and place in lower) or place in words:
            reasons.append(NexusReason("address_city", place))
            break
    if "russia" in words or "russian federation" in lower or "россия" in lower:
        reasons.append(NexusReason("address_country", "Russia"))
    if _CYRILLIC.search(address):
        reasons.append(NexusReason("address_cyrillic", address))
    return reasons


def russia_nexus(
    *,
    nationality: str | None = None,
    country: str | None = None,
    document_country: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    address: str | None = None,
    ip_country: str | None = None,
) -> list[NexusReason]:
    """Every Russia connection of one customer record, each with the value that made it."""
    from sanctrace.screening.countries import country_code

    reasons: list[NexusReason] = []
    for reason, value in (("nationality", nationality), ("country", country),
                          ("document_country", document_country), ("ip_country", ip_country)):
        if not value:
            continue
        for part in re.split(r"[;,|/]+", value):
            if country_code(part) == RUSSIA:
                reasons.append(NexusReason(reason, part.strip()))
                break
    if phone:
        for number in re.split(r"[;,|]+", phone):
            if number.strip() and phone_country(number) == RUSSIA:
                reasons.append(NexusReason("phone_country", number.strip()))
                break
    if email:
        for mail in re.split(r"[\s;,|]+", email):
            why = email_reason(mail)
            if why:
                reasons.append(NexusReason(why, mail.strip()))
                break
    if address:
        reasons.extend(address_reasons(address))
    return reasons
