"""Stored telegrams for tests, made from the real JMA samples (SYNTHETIC where a sample is edited)."""

from pathlib import Path

from django.utils import timezone

from toki.alerts.actions.telegrams import store_telegram
from toki.alerts.models import Telegram

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jma" / "samples"
H27_SHIMANE = "15_17_01_250123_VPWW54.xml"


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def sado_warning(city: str = "松江市", *, report_at: str = "2024-11-02T13:05:00+09:00", status: str = "通常",
                 info_type: str = "発表") -> str:
    """SYNTHETIC: the real H27 島根県 VPWW54 with one city's item renamed to 佐渡市 (1522400), its report time,
    status and info type changed. No warning sample covers Niigata (reference §5)."""
    codes = {"松江市": "3220100", "海士町": "3252500", "益田市": "3220400"}
    text = sample_text(H27_SHIMANE)
    text = text.replace(f"<Name>{city}</Name>", "<Name>佐渡市</Name>").replace(codes[city], "1522400")
    text = text.replace("2024-11-02T13:05:00+09:00", report_at)
    text = text.replace("<Status>通常</Status>", f"<Status>{status}</Status>", 1)
    return text.replace("<InfoType>発表</InfoType>", f"<InfoType>{info_type}</InfoType>", 1)


def store(text: str, name: str) -> Telegram:
    """Store a telegram as the poller does: through `actions.telegrams.store_telegram`, which parses it and decides
    whether it concerns the municipality (no flag set here). Processing is enqueued on commit, as in production."""
    url = f"https://www.data.jma.go.jp/developer/xml/data/{name}"
    telegram = store_telegram(url, text.encode("utf-8"), fetched_at=timezone.now())
    if telegram is None:
        raise AssertionError(f"{name} was quarantined: the fixture is not a telegram the parser accepts")
    return telegram
