"""Japanese words in organisation names and the English words the lists use for them.

Japanese lists translate the generic part of a Russian organisation's name (研究所 "research
institute", 造船所 "shipyard", 連邦 "federal") and transliterate the proper name (アドミラルティ
"Admiralty"). Replacing the translated words by their English equivalents before romanisation
lets the proper name be compared by sound and the generic words by meaning. Katakana loanwords
(センター, グループ) are here too.

Kanji compounds are segmented by longest match: every entry is tried longest first, so 造船所 is
"shipyard" and not 造船 "shipbuilding" + 所. Kanji the glossary does not know are read by pykakasi
and treated as generic words by the parser (their Japanese reading says nothing an English name
could match). A Japanese term stands for several English words (工場: plant, factory, works,
zavod); :data:`CONCEPTS` lists them, and :func:`same_concept` / :func:`same_stem` let the aligner
accept any of them, so the glossary keeps one rendering per term.

Only generic institutional vocabulary belongs here, never a proper name or a whole list name:
the METI evaluation (benchmarks/screening.py) would otherwise measure a lookup table.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "研究センター": "research center", "研究機関": "research institute",
    "科学研究所": "scientific research institute", "設計局": "design bureau", "設計事務所": "design bureau",
    "製作所": "works", "学校": "school",
    "銀行": "bank", "公社": "corporation", "企業": "enterprise",
    "単一企業": "unitary enterprise", "国営企業": "state enterprise",
    "予算機関": "budgetary institution", "機関": "institution", "協会": "association", "財団": "foundation",
    "委員会": "committee",
    "本部": "directorate", "部隊": "unit", "軍": "forces", "連隊": "regiment", "旅団": "brigade",
    "司令部": "command", "グループ": "group", "ホールディング": "holding",
    "ホールディングス": "holdings",
    "インターナショナル": "international", "エンジニアリング": "engineering", "テクノロジー": "technology",
    "テクノロジーズ": "technologies", "システム": "systems", "システムズ": "systems", "プラント": "plant",
    "トレーディング": "trading", "ファクトリー": "factory", "ラボラトリー": "laboratory",
    "インダストリーズ": "industries", "サービス": "services",
    "ソリューションズ": "solutions", "ロジスティクス": "logistics", "オートメーション": "automatics",
    "マシン": "machine",
    "アカデミー": "academy", "コンツェルン": "concern", "国家": "state",
    "中央": "central", "科学": "scientific",
    "開発": "development", "統合": "united", "合同": "joint",
    "総合": "integrated", "地域": "regional", "全ロシア": "all russian", "ロシア": "russia", "航空": "aviation",
    "宇宙": "space", "ロケット": "rocket", "電気": "electric",
    "通信": "communications", "化学": "chemical",
    "機械製造": "machine building", "計器": "instrument", "原子力": "nuclear",
    "エネルギー": "energy", "精密": "precision", "防衛": "defense", "国防": "defence",
    "国防省": "ministry of defence", "内務省": "ministry of interior", "保安": "security",
    "諜報": "intelligence", "対外": "foreign", "陸軍": "army", "空軍": "air force",
    "造船": "shipbuilding", "船舶": "marine", "海洋": "marine", "石油": "oil", "ガス": "gas", "鉄道": "railway",
    "自動車": "automobile", "金属": "metal", "冶金": "metallurgical", "装置": "equipment",
    "部品": "components", "材料": "materials", "情報": "information", "安全": "security",
    "管理": "management", "貿易": "trade", "輸出": "export", "輸入": "import", "投資": "investment",
    "商業": "commercial", "大統領府": "administration of the president", "大統領": "president",
    "記念": " ", "と": " and ",
}

# More institutional vocabulary (defence industry, research and production bodies).
GLOSSARY.update({
    "学術": "scientific", "戦術": "tactical", "ミサイル": "missile",
    "兵器": "weapons", "設計": "design", "組合": "union",
    "団体": "association", "修理": "repair", "北方": "northern",
    "極東": "far eastern", "赤旗": "red banner", "勲章": "order", "労働": "labor",
    "工業": "industrial", "制御": "control", "自動": "automatic", "電気機械": "electromechanical",
    "光学機械": "optical mechanical", "複合": "complex", "遠隔": "distance", "熱": "heat", "船舶修理": "ship repair",
    "整備": "maintenance", "複合材料": "composite materials", "応用": "applied", "極超音速": "hypersonic",
    "水中翼船": "hydrofoil ships", "抵抗器": "resistor", "集積回路": "integrated circuits", "実験場": "testing area",
    "建築": "building", "コンプレックス": "complex", "モジュール": "modules", "マイクロ": "micro",
    "エレクトロニクス": "electronics", "プロジェクト": "project", "ワーフ": "verf", "ヘリコプター": "helicopter",
    "エンジン": "engine", "テック": "tech", "第": " ",
    "共和国": "republic", "ソフトウェア": "software", "ヘリコプターズ": "helicopters",
    "執行委員会": "executive committee", "内務局": "department of internal affairs", "州": "region",
    "製造会社": "manufacturing company", "会社": "company",
})

# Institutional vocabulary of research, industry and state bodies (Japanese renderings of the
# generic parts of Russian, Belarusian and other organisation names). Generic words only: no
# proper names.
GLOSSARY.update({
    "統一": "united", "名称": " named after ", "触媒": "catalysis", "特別": "special", "特殊": "special",
    "専門": "specialized", "飛行": "flight", "法科学": "forensic", "量子": "quantum", "法人": "corporation",
    "機械工学": "mechanical engineering", "参謀本部": "general staff", "総局": "main directorate",
    "物理学": "physics", "物理": "physical", "高精度": "high precision", "精度": "precision", "高": "high",
    "合弁企業": "joint venture", "装備品": "armament", "運営": "managing", "管制": "control",
    "地理情報": "geoinformation", "装輪": "wheel", "牽引車": "tractor", "軍需産業": "military industry",
    "産業": "industry", "国内軍": "internal troops", "純国営": "state", "国営": "state", "新": "new",
    "深海": "deep sea", "調査": "research", "理論": "theoretical", "高圧": "high voltage",
    "遠隔機械": "telemechanical", "機械装置": "mechanical devices", "付属": "affiliated",
    "流体力学": "hydrodynamics", "自治": "autonomous", "試験場": "testing ground", "鉄鋼": "steel",
    "拠点": "base", "推進力": "propulsion", "熱技術": "thermal technology", "動力": "motor",
    "支援": "support", "航法": "navigation", "時刻": "time", "音響": "acoustics", "汎用": "dual use",
    "情報伝達": "information transmission", "伝達": "transmission", "問題": "problems",
    "持株会社": "holding company", "生合成": "biological synthesis", "高等教育": "higher education",
    "所管": " ", "予算": "budgetary", "学術機関": "scientific institution", "観測": "measurements",
    "技術規制": "technical regulation", "規制": "regulation", "計量": "metrology", "固体": "solid state",
    "半導体": "semiconductor", "先進": "advanced", "協力": "cooperation", "分析": "analysis",
    "複合体": "complex", "測量": "measuring", "計測": "measurements", "器具": "devices", "放電": "discharge",
    "テレビジョン": "television", "組立": "assembly", "数学": "mathematics", "無人": "unmanned",
    "民生": "civil", "火薬": "gunpowder", "商社": "trading house", "衛星": "satellite", "東方": "eastern",
    "北極": "arctic", "戦勝": "victory", "周年": "anniversary", "自動操作": "automation", "油圧": "hydraulics",
    "基本": "basic", "放射線": "radiation", "大学": "university", "工場": "plant", "造船所": "shipyard",
    "設計所": "design bureau", "研究製造": "research and production", "製造": "production",
    "連合体": "association", "公団": "association", "学術生産": "scientific production",
    "光学": "optical", "電子": "electronic", "無線": "radio", "電波": "radio", "能力": "competencies",
    "航空機": "aircraft", "機器製造": "instrument making", "計算機": "computing", "機材": "instrument",
    "機器": "instruments", "技術": "technical", "工学": "engineering", "生産": "production",
    "リミテッド": "limited", "カンパニー": "company", "コーポレーション": "corporation",
    "インコーポレーテッド": "incorporated", "エルエルシー": "llc", "社": " company ", "局": "bureau",
    "庁": "agency", "省": "ministry", "研究所": "research institute", "センター": "center",
    "試験": "experimental", "実験": "experimental", "支部": "branch", "連邦": "federal", "国立": "state",
    "政府": "governmental", "国際": "international", "海軍": "naval", "機械": "machine", "軍事": "military",
    "研究": "research", "体": " ", "所": " ", "及び": " and ", "付属工場": "factory",
})

# Common English loanwords in Katakana (general vocabulary; the phonetic alignment copes with
# most, these are the ones whose Japanese spelling drifts furthest from the English one).
GLOSSARY.update({
    "コンピューター": "computer", "コンピュータ": "computer", "エレクトリック": "electric",
    "エレクトロニック": "electronic", "デジタル": "digital", "ネットワーク": "network",
    "ナビゲーション": "navigation", "エアクラフト": "aircraft", "ユナイテッド": "united", "トレード": "trade",
    "サポート": "support", "モーター": "motor", "スペース": "space", "ソリューション": "solution",
    "イノベーション": "innovation", "コンサルティング": "consulting", "インダストリー": "industry",
    "民間": "private", "基金": "foundation", "情報総局": "main intelligence directorate",
})

# English words a Japanese term stands for interchangeably: 工場 is a plant, a factory, works or
# a zavod; 局 a bureau or a directorate. Compared across scripts, words of one group are one word.
CONCEPTS: tuple[frozenset[str], ...] = tuple(frozenset(group.split()) for group in (
    "plant factory works zavod mill",
    "bureau directorate office department administration",
    "service agency",
    "institute institution center centre university academy",
    "company corporation firm concern",
    "united unified joint integrated",
    "association union society organization organisation obedinenie",
    "production manufacturing making building manufacture",
    "scientific science research",
    "technology technologies technological technical technics tech",
    "electronic electronics electro",
    "aviation aircraft avia aero aerospace",
    "experimental testing test trials",
    "automatics automation automatic automated avtomatika",
    "instrument instruments device devices equipment apparatus",
    "motor engine engines",
    "state national government governmental",
    "special specialized specialised",
    "marine naval navy maritime sea ship",
    "measuring measurement measurements metrology",
    "shipyard shipbuilding",
    "defense defence",
    "ministry ministries",
    "flight flying",
    "heat thermal",
    "information intelligence",
    "civil private civilian",
    "fund foundation",
    "industry industrial industries",
    "computer computers computing",
))
_CONCEPT_OF: dict[str, int] = {word: k for k, group in enumerate(CONCEPTS) for word in group}


def same_concept(a: str, b: str) -> bool:
    """Whether two English words are renderings of one Japanese term (see :data:`CONCEPTS`)."""
    ka, kb = _CONCEPT_OF.get(a), _CONCEPT_OF.get(b)
    return ka is not None and ka == kb


def same_stem(a: str, b: str) -> bool:
    """physics/physical, technology/technologies, russia/russian: one word in another inflection."""
    if min(len(a), len(b)) < 5:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 5 and max(len(a), len(b)) - common <= 4 and min(len(a), len(b)) - common <= 3


# Every English word the glossary produces: in a translated name these are generic words.
GLOSSARY_WORDS: frozenset[str] = frozenset(word for english in GLOSSARY.values() for word in english.split())
GLOSSARY_SORTED: tuple[tuple[str, str], ...] = tuple(sorted(GLOSSARY.items(), key=lambda kv: -len(kv[0])))


def _is_kana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff" and ch != "・"


def translate_terms(text: str) -> str:
    """Replace glossary terms by their English words, separated by spaces.

    A Katakana loanword is replaced only when it is a whole Katakana word: テック in ロステック
    (Rostec) is part of a name, センター after a Kanji word is the word "center".
    """
    if text.isascii():
        return text
    for jp, en in GLOSSARY_SORTED:
        start = text.find(jp)
        while start != -1:
            end = start + len(jp)
            starts_word = start == 0 or not _is_kana(text[start - 1])
            ends_word = end == len(text) or not _is_kana(text[end])
            # Long loanwords also end or start a compound (アガトシステム = Agat System); short ones
            # must stand alone (テック inside ロステック is part of "Rostec").
            whole = not _is_kana(jp[0]) or (starts_word and ends_word) or (
                len(jp) >= 4 and (starts_word or ends_word))
            if whole:
                text = f"{text[:start]} {en} {text[end:]}"
                start = text.find(jp, start + len(en) + 2)
            else:
                start = text.find(jp, end)
    return text
