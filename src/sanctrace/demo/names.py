"""Realistic names for the demo world: Japanese (Kanji + Katakana + Hepburn), Russian (Cyrillic +
BGN/PCGN Latin), other foreigners, and company names with the legal forms of each jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

import icu
import numpy as np

# (kanji, katakana, hepburn)
JP_FAMILY: tuple[tuple[str, str, str], ...] = (
    ("佐藤", "サトウ", "Sato"), ("鈴木", "スズキ", "Suzuki"), ("高橋", "タカハシ", "Takahashi"),
    ("田中", "タナカ", "Tanaka"), ("伊藤", "イトウ", "Ito"), ("渡辺", "ワタナベ", "Watanabe"),
    ("山本", "ヤマモト", "Yamamoto"), ("中村", "ナカムラ", "Nakamura"), ("小林", "コバヤシ", "Kobayashi"),
    ("加藤", "カトウ", "Kato"), ("吉田", "ヨシダ", "Yoshida"), ("山田", "ヤマダ", "Yamada"),
    ("佐々木", "ササキ", "Sasaki"), ("山口", "ヤマグチ", "Yamaguchi"), ("松本", "マツモト", "Matsumoto"),
    ("井上", "イノウエ", "Inoue"), ("木村", "キムラ", "Kimura"), ("林", "ハヤシ", "Hayashi"),
    ("斎藤", "サイトウ", "Saito"), ("清水", "シミズ", "Shimizu"), ("山崎", "ヤマザキ", "Yamazaki"),
    ("森", "モリ", "Mori"), ("池田", "イケダ", "Ikeda"), ("橋本", "ハシモト", "Hashimoto"),
    ("阿部", "アベ", "Abe"), ("石川", "イシカワ", "Ishikawa"), ("前田", "マエダ", "Maeda"),
    ("藤田", "フジタ", "Fujita"), ("小川", "オガワ", "Ogawa"), ("岡田", "オカダ", "Okada"),
)
JP_GIVEN: tuple[tuple[str, str, str], ...] = (
    ("翔太", "ショウタ", "Shota"), ("大輔", "ダイスケ", "Daisuke"), ("健太", "ケンタ", "Kenta"),
    ("直樹", "ナオキ", "Naoki"), ("陽子", "ヨウコ", "Yoko"), ("美咲", "ミサキ", "Misaki"),
    ("優子", "ユウコ", "Yuko"), ("拓也", "タクヤ", "Takuya"), ("恵", "メグミ", "Megumi"),
    ("亮", "リョウ", "Ryo"), ("花子", "ハナコ", "Hanako"), ("太郎", "タロウ", "Taro"),
    ("誠", "マコト", "Makoto"), ("由美", "ユミ", "Yumi"), ("和也", "カズヤ", "Kazuya"),
    ("真由美", "マユミ", "Mayumi"), ("浩", "ヒロシ", "Hiroshi"), ("明美", "アケミ", "Akemi"),
    ("隆", "タカシ", "Takashi"), ("愛", "アイ", "Ai"), ("蓮", "レン", "Ren"), ("結衣", "ユイ", "Yui"),
)
RU_MALE_GIVEN = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Иван", "Николай", "Павел",
                 "Олег", "Артём", "Максим", "Владислав", "Юрий", "Роман", "Евгений", "Игорь")
RU_FEMALE_GIVEN = ("Анна", "Мария", "Екатерина", "Ольга", "Татьяна", "Наталья", "Елена", "Ирина",
                   "Светлана", "Юлия", "Дарья", "Ксения")
RU_FATHER = ("Александр", "Владимир", "Сергей", "Николай", "Виктор", "Юрий", "Игорь", "Петр", "Михаил")
RU_SURNAME = ("Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров",
              "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
              "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев")
OTHER_PEOPLE = (("John", "Smith", "US"), ("Emma", "Brown", "GB"), ("Wei", "Zhang", "CN"),
                ("Minh", "Nguyen", "VN"), ("Priya", "Sharma", "IN"), ("Lukas", "Schmidt", "DE"),
                ("Chloé", "Martin", "FR"), ("Ji-woo", "Kim", "KR"), ("Ana", "Santos", "PH"),
                ("Daniel", "Cohen", "IL"), ("Mehmet", "Yılmaz", "TR"), ("Aigerim", "Nurlanovna", "KZ"),
                ("Olivia", "Wilson", "AU"), ("Mateo", "García", "ES"), ("Siti", "Rahman", "MY"))

JP_COMPANY_WORDS = (("サクラ", "Sakura"), ("フジ", "Fuji"), ("アオバ", "Aoba"), ("ミライ", "Mirai"),
                    ("ヒカリ", "Hikari"), ("ツバサ", "Tsubasa"), ("ヤマト", "Yamato"), ("コスモ", "Cosmo"))
JP_COMPANY_KIND = (("商事", "Shoji", "Trading"), ("物産", "Bussan", "Products"),
                   ("テクノロジー", "Technology", "Technology"), ("ホールディングス", "Holdings", "Holdings"))
FOREIGN_WORDS = ("Aurora", "Baltic", "Crest", "Delta", "Everest", "Falcon", "Granite", "Harbor", "Ion",
                 "Jade", "Krona", "Lumen", "Meridian", "Nord", "Orion", "Polar", "Quartz", "Ridge",
                 "Sever", "Taiga", "Ural", "Vega", "Volga", "Yenisei", "Zenith", "Altai", "Irtysh")
LEGAL_FORMS = {"SG": "Pte. Ltd.", "CY": "Holdings Ltd", "AE": "General Trading LLC", "HK": "Limited",
               "RU": "OOO", "SC": "Ltd", "VG": "Ltd", "TR": "A.Ş.", "KZ": "TOO"}
COMPANY_SECTOR = ("Trading", "Logistics", "Resources", "Capital", "Technologies", "Energy", "Ventures")

_BGN = icu.Transliterator.createInstance("Russian-Latin/BGN")


@dataclass(frozen=True)
class PersonName:
    latin: str  # "Given Family" in Latin script
    local: str | None = None  # Kanji "山田 太郎" or Cyrillic "Иван Петрович Смирнов"
    phonetic: str | None = None  # full-width Katakana "ヤマダ タロウ" (Japanese KYC)
    gender: str = "m"


def russian_latin(text: str) -> str:
    return str(_BGN.transliterate(text))


def japanese_person(rng: np.random.Generator) -> PersonName:
    fam = JP_FAMILY[int(rng.integers(len(JP_FAMILY)))]
    giv = JP_GIVEN[int(rng.integers(len(JP_GIVEN)))]
    # Japanese KYC writes family name first, both in Kanji and Katakana.
    return PersonName(latin=f"{giv[2]} {fam[2]}", local=f"{fam[0]} {giv[0]}", phonetic=f"{fam[1]} {giv[1]}")


def russian_person(rng: np.random.Generator) -> PersonName:
    female = bool(rng.random() < 0.35)
    given = (RU_FEMALE_GIVEN if female else RU_MALE_GIVEN)[int(rng.integers(6 if female else 16))]
    father = RU_FATHER[int(rng.integers(len(RU_FATHER)))]
    surname = RU_SURNAME[int(rng.integers(len(RU_SURNAME)))]
    patronymic = _patronymic(father, female)
    if female:
        surname = surname + "а"
    local = f"{given} {patronymic} {surname}"
    return PersonName(latin=russian_latin(f"{given} {surname}"), local=local, gender="f" if female else "m")


def _patronymic(father: str, female: bool) -> str:
    stem = father[:-1] + "е" if father.endswith("й") else father
    if father.endswith("й"):
        return stem + ("вна" if female else "вич")
    return father + ("овна" if female else "ович")


def other_person(rng: np.random.Generator) -> tuple[PersonName, str]:
    given, family, country = OTHER_PEOPLE[int(rng.integers(len(OTHER_PEOPLE)))]
    return PersonName(latin=f"{given} {family}"), country


def japanese_company(rng: np.random.Generator) -> tuple[str, str, str]:
    """(legal name in Japanese, Katakana phonetic, English name)."""
    word = JP_COMPANY_WORDS[int(rng.integers(len(JP_COMPANY_WORDS)))]
    kind = JP_COMPANY_KIND[int(rng.integers(len(JP_COMPANY_KIND)))]
    serial = int(rng.integers(1, 99))
    local = f"株式会社{word[0]}{kind[0]}{serial}"
    phonetic = f"カブシキガイシャ{word[0]}{kind[0] if kind[0].isascii() is False else kind[1]}{serial}"
    return local, phonetic, f"{word[1]} {kind[2]} {serial} Co., Ltd."


def foreign_company(rng: np.random.Generator, country: str) -> str:
    first = FOREIGN_WORDS[int(rng.integers(len(FOREIGN_WORDS)))]
    sector = COMPANY_SECTOR[int(rng.integers(len(COMPANY_SECTOR)))]
    return f"{first} {sector} {LEGAL_FORMS.get(country, 'Ltd')}"
