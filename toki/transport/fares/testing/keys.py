"""Fixed keys for tests, the browser tests and the benchmark (never for a real site)."""

import base64
import hashlib


def seed(label: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(label.encode()).digest()).rstrip(b"=").decode()


TEST_KEYS = {
    "TOKI_FARES_PSEUDONYM_KEY": "test-only-pseudonym-key-0123456789abcdef",
    "TOKI_FARES_SIGNING_KEYS": [f"test-2:{seed('toki-test-2')}", f"test-1:{seed('toki-test-1')}"],
}
