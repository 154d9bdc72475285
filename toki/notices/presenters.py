"""A notice as a reader sees it: the version in their language, or the Japanese one marked as a fallback."""

from dataclasses import dataclass

from toki.notices.forms import html_lang
from toki.notices.models import SOURCE_LANGUAGE, Notice, NoticeVersion


@dataclass(frozen=True)
class ShownNotice:
    notice: Notice
    version: NoticeVersion
    is_fallback: bool  # the reader asked for another language and gets Japanese

    @property
    def lang(self) -> str:
        return html_lang(self.version.language)


def shown(notice: Notice, language: str) -> ShownNotice | None:
    version = notice.version_for(language)
    if version is None:
        return None
    return ShownNotice(notice=notice, version=version,
                       is_fallback=version.language != language and language != SOURCE_LANGUAGE)


def shown_all(notices, language: str) -> list[ShownNotice]:
    return [item for item in (shown(n, language) for n in notices) if item is not None]
