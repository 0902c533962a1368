"""The privacy notice, generated from the house file's data map, so it always says what is really collected.

Short sections in plain words, in English and Japanese: who we are, what we collect and why, how long we keep it,
the choices you have, your rights (the same for everyone), and what the law makes us keep after erasure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from omotenashi.config.house import HouseFile
from omotenashi.config.types import Description
from omotenashi.privacy.datamap import DataMap, Declared

DEFAULT_USES = {
    "service": ("essential", "functional.storage.privacy_preferences"),
    "care": ("essential.service.operations.support", "functional.service"),
    "personalization": ("personalize", "functional"),
    "analytics": ("analytics",),
    "marketing": ("marketing", "sales", "third_party_sharing"),
}

_T = {
    "title": ("Privacy notice", "プライバシーに関するお知らせ"),
    "intro": (
        "{name} keeps only what you give us through our own website, app and service, each thing for a purpose "
        "you can see below. You can see everything we hold about you, change your choices, download it, correct it "
        "or erase it yourself, at any time. These rights are the same for everyone, wherever you live.",
        "{name}は、当社のウェブサイト・アプリ・サービスを通じてお客様がご提供くださった情報のみを、以下に示す目的"
        "のために保存します。お客様はいつでもご自身で、保存されている情報をすべて確認し、選択を変更し、"
        "ダウンロード・訂正・削除することができます。これらの権利は、お住まいの地域にかかわらず、すべての方に等しく"
        "認められています。",
    ),
    "what": ("What we collect and why", "収集する情報とその目的"),
    "purpose": ("{title}: {purpose}", "{title}：{purpose}"),
    "kept": ("kept {days}", "保存期間：{days}"),
    "basis": ("legal basis: {basis}", "法的根拠：{basis}"),
    "choices": ("Your choices", "お客様の選択"),
    "opt_in": (
        "only with your permission; you can withdraw it at any time",
        "お客様の同意がある場合のみ。いつでも撤回できます",
    ),
    "opt_out": ("unless you object; you can object at any time", "お客様が拒否されない限り。いつでも拒否できます"),
    "notice_only": ("needed to provide the service you asked for", "ご依頼のサービスの提供に必要です"),
    "gpc": (
        "If your browser sends Global Privacy Control, we treat it as an objection to marketing.",
        "ブラウザがグローバル・プライバシー・コントロールを送信している場合、マーケティングへの拒否として扱います。",
    ),
    "rights": ("Your rights", "お客様の権利"),
    "rights_text": (
        "In the privacy portal you can see everything we hold about you, where it came from and why, and who on our "
        "staff opened your record; change your choices; download everything; correct what is wrong; and erase it. "
        "Nobody has to approve it.",
        "プライバシーポータルでは、当社が保存している情報のすべてと、その出所・目的、当社のスタッフがいつ記録を"
        "閲覧したかを確認できます。また、選択の変更、すべての情報のダウンロード、誤りの訂正、削除ができます。"
        "誰かの承認は必要ありません。",
    ),
    "after": ("What we must keep after you erase your data", "削除後も保存が必要な情報"),
    "nothing_after": ("Nothing: erasure removes everything.", "ありません。削除によりすべてが消去されます。"),
    "special": (
        "We collect no special categories of personal data (health, beliefs, origin…).",
        "健康・信条・出自などの特別な種類の個人情報は収集しません。",
    ),
    "special_yes": (
        "Special categories we collect are never used by any rule or model that decides who receives care.",
        "収集する特別な種類の個人情報は、ケアの対象を決めるルールやモデルには一切使用しません。",
    ),
    "undeclared": (
        "Anything our systems send that is not listed here is removed when it arrives.",
        "ここに記載されていない情報が送信された場合、受信時に削除します。",
    ),
    "no_map": (
        "This workspace has not declared its data map yet: ask us what we collect.",
        "このワークスペースはまだデータマップを宣言していません。収集している情報については当社にお問い合わせください。",
    ),
    "version": ("Notice versions: {versions}.", "お知らせの版：{versions}"),
}

TITLES = {
    "service": ("Providing the service", "サービスの提供"),
    "care": ("Proactive care", "先回りのサポート"),
    "personalization": ("Personalization", "パーソナライズ"),
    "analytics": ("Analytics", "利用状況の分析"),
    "marketing": ("Marketing", "マーケティング"),
}


def title(pid: str, lang: str) -> str:
    """A purpose's short title in a language."""
    pair = TITLES.get(pid)
    return pair[1 if lang == "ja" else 0] if pair else pid


BASIS = {
    "consent": ("your consent", "お客様の同意"),
    "contract": ("our contract with you", "お客様との契約"),
    "legal_obligation": ("a legal obligation", "法的義務"),
    "vital_interests": ("your vital interests", "お客様の生命に関わる利益"),
    "public_interest": ("the public interest", "公共の利益"),
    "legitimate_interests": (
        "our legitimate interests, balanced against yours",
        "お客様の利益と比較衡量した当社の正当な利益",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    en, ja = _T[key]
    return (ja if lang == "ja" else en).format(**values)


def text(desc: Description, lang: str) -> str:
    return desc.ja if lang == "ja" and desc.ja else desc.en


def days(n: int, lang: str) -> str:
    if n % 365 == 0:
        years = n // 365
        return f"{years}年" if lang == "ja" else f"{years} year{'s' if years > 1 else ''}"
    return f"{n}日" if lang == "ja" else f"{n} days"


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]


def purpose_of(item: Declared, house: HouseFile) -> str:
    """The purpose a data use serves (the longest matching prefix wins)."""
    best, best_len = "service", -1
    for pid in house.purposes:
        for prefix in DEFAULT_USES.get(pid, (pid,)):
            if (item.use == prefix or item.use.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = pid, len(prefix)
    return best


def build(house: HouseFile, lang: str) -> list[Section]:
    """The notice's sections in one language."""
    dm = DataMap(house.data_map)
    sections = [Section(t("title", lang), [t("intro", lang, name=house.workspace.name)])]
    declared = list(dm.declared())
    by_purpose: dict[str, list[Declared]] = defaultdict(list)
    for item in declared:
        if not item.where.startswith("property "):
            by_purpose[purpose_of(item, house)].append(item)
    lines: list[str] = []
    for pid, purpose in house.purposes.items():
        items = by_purpose.get(pid)
        if not items:
            continue
        lines.append(f"### {t('purpose', lang, title=title(pid, lang), purpose=text(purpose.description, lang))}")
        for item in items:
            basis = BASIS[item.legal_basis.value][1 if lang == "ja" else 0]
            lines.append(
                f"- **{item.name}**: {text(item.description, lang)} "
                f"({t('kept', lang, days=days(item.retention_days, lang))}; {t('basis', lang, basis=basis)})"
            )
    if not dm.present:
        lines.append(t("no_map", lang))
    elif dm.policy == "strip":
        lines.append(t("undeclared", lang))
    sections.append(Section(t("what", lang), lines))
    choices = [f"- **{title(pid, lang)}**: {t(p.mechanism.value, lang)}" for pid, p in house.purposes.items()]
    choices.append(t("gpc", lang))
    sections.append(Section(t("choices", lang), choices))
    sections.append(Section(t("rights", lang), [t("rights_text", lang)]))
    kept = [
        f"- **{d.name}**: {text(d.kept_after_erasure, lang)}"
        for d in declared
        if d.kept_after_erasure and not d.where.startswith("property ")
    ]
    sections.append(Section(t("after", lang), kept or [t("nothing_after", lang)]))
    special = any(d.special_category for d in declared)
    versions = ", ".join(f"{pid} {p.notice_version}" for pid, p in house.purposes.items())
    sections.append(
        Section("", [t("special_yes" if special else "special", lang), t("version", lang, versions=versions)])
    )
    return sections


def markdown(house: HouseFile, lang: str) -> str:
    """The notice as Markdown."""
    out: list[str] = []
    for i, section in enumerate(build(house, lang)):
        if section.title:
            out.append(("# " if i == 0 else "## ") + section.title)
        out.extend(section.lines)
        out.append("")
    return "\n".join(out)
