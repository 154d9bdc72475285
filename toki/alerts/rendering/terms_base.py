"""The shape of a term table entry: one text per language, in the order of LANGUAGES."""

ORDER = ("ja", "ja-easy", "en", "zh-hans", "ko")


def t(ja: str, easy: str, en: str, zh_hans: str, ko: str) -> dict[str, str]:
    """One term in 日本語, やさしい日本語, English, 简体中文 and 한국어."""
    return dict(zip(ORDER, (ja, easy, en, zh_hans, ko), strict=True))
