"""Japanese words in organisation names and the English words the lists use for them.

Japanese lists translate the generic part of a Russian organisation's name (研究所 "research
institute", 造船所 "shipyard", 連邦 "federal") and transliterate the proper name (アドミラルティ
"Admiralty"). Replacing the translated words by their English equivalents before romanisation
lets the proper name be compared by sound and the generic words by meaning. Katakana loanwords
(センター, グループ) are here too. Longest entries are replaced first.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "研究所": "research institute", "研究センター": "research center", "研究機関": "research institute",
    "科学研究所": "scientific research institute", "設計局": "design bureau", "設計事務所": "design bureau",
    "造船所": "shipyard", "工場": "plant", "製作所": "works", "大学": "university", "学校": "school",
    "銀行": "bank", "公社": "corporation", "公団": "corporation", "企業": "enterprise",
    "単一企業": "unitary enterprise", "国営企業": "state enterprise",
    "予算機関": "budgetary institution", "機関": "institution", "協会": "association", "財団": "foundation",
    "基金": "fund", "委員会": "committee", "省": "ministry", "庁": "service", "局": "directorate",
    "本部": "directorate", "部隊": "unit", "軍": "forces", "連隊": "regiment", "旅団": "brigade",
    "司令部": "command", "センター": "center", "グループ": "group", "ホールディング": "holding",
    "ホールディングス": "holdings", "カンパニー": "company", "コーポレーション": "corporation",
    "インターナショナル": "international", "エンジニアリング": "engineering", "テクノロジー": "technology",
    "テクノロジーズ": "technologies", "システム": "systems", "システムズ": "systems", "プラント": "plant",
    "トレーディング": "trading", "ファクトリー": "factory", "ラボラトリー": "laboratory",
    "エレクトロニクス": "electronics", "インダストリーズ": "industries", "サービス": "services",
    "ソリューションズ": "solutions", "ロジスティクス": "logistics", "オートメーション": "automatics",
    "マシン": "machine",
    "アカデミー": "academy", "コンツェルン": "concern", "連邦": "federal", "国家": "state", "国立": "national",
    "国際": "international", "中央": "central", "特別": "special", "科学": "scientific",
    "技術": "technology", "工学": "engineering", "研究": "research", "製造": "production",
    "生産": "production", "開発": "development", "実験": "experimental", "統合": "united", "合同": "joint",
    "総合": "integrated", "地域": "regional", "全ロシア": "all russian", "ロシア": "russia", "航空": "aviation",
    "宇宙": "space", "ロケット": "rocket", "電子": "electronics", "電気": "electric",
    "通信": "communications", "無線": "radio", "化学": "chemical", "物理": "physics", "機械": "machine",
    "機械製造": "machine building", "計器": "instrument", "計算機": "computing", "原子力": "nuclear",
    "エネルギー": "energy", "精密": "precision", "光学": "optics", "防衛": "defense", "国防": "defence",
    "国防省": "ministry of defence", "内務省": "ministry of interior", "保安": "security",
    "諜報": "intelligence", "対外": "foreign", "海軍": "navy", "陸軍": "army", "空軍": "air force",
    "造船": "shipbuilding", "船舶": "marine", "海洋": "marine", "石油": "oil", "ガス": "gas", "鉄道": "railway",
    "自動車": "automobile", "金属": "metal", "冶金": "metallurgical", "装置": "equipment",
    "部品": "components", "材料": "materials", "情報": "information", "安全": "security",
    "管理": "management", "貿易": "trade", "輸出": "export", "輸入": "import", "投資": "investment",
    "商業": "commercial", "大統領府": "administration of the president", "大統領": "president",
    "政府": "government", "軍事": "military", "名称": " ", "記念": " ", "及び": " and ", "と": " and ",
}

# More institutional vocabulary (defence industry, research and production bodies).
GLOSSARY.update({
    "学術": "scientific", "学術生産": "scientific production", "戦術": "tactical", "ミサイル": "missile",
    "兵器": "weapons", "支部": "branch", "試験": "testing", "設計": "design", "組合": "union", "連合体": "association",
    "団体": "association", "機材": "instrument", "機器": "equipment", "修理": "repair", "北方": "northern",
    "極東": "far eastern", "航空機": "aircraft", "赤旗": "red banner", "勲章": "order", "労働": "labor",
    "工業": "industrial", "制御": "control", "自動": "automatic", "電気機械": "electromechanical",
    "光学機械": "optical mechanical", "複合": "complex", "遠隔": "distance", "熱": "heat", "船舶修理": "ship repair",
    "整備": "maintenance", "複合材料": "composite materials", "応用": "applied", "極超音速": "hypersonic",
    "水中翼船": "hydrofoil ships", "抵抗器": "resistor", "集積回路": "integrated circuits", "実験場": "testing area",
    "建築": "building", "コンプレックス": "complex", "モジュール": "modules", "マイクロ": "micro",
    "エレクトロニクス": "electronics", "プロジェクト": "project", "ワーフ": "verf", "ヘリコプター": "helicopter",
    "エンジン": "engine", "民間": "civil", "テック": "tech", "第": " ",
    "共和国": "republic", "ソフトウェア": "software", "ヘリコプターズ": "helicopters",
    "執行委員会": "executive committee", "内務局": "department of internal affairs", "州": "region",
    "製造会社": "manufacturing company", "会社": "company",
})

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
