"""Content-Security-Policy and Permissions-Policy on pages (issue 13, finding 11), through the URLconf: public,
staff and shelter-tablet pages each carry both headers, and every inline <style>/<script> carries the response's
nonce (so the policy does not block Toki's own page)."""

import re
from pathlib import Path

from django.test import SimpleTestCase
from django.urls import reverse

from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


class SecurityHeadersTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def pages(self):
        yield "public", self.client.get("/")
        yield "public shelters", self.client.get(reverse("portal:shelters"))
        yield "public post form", self.client.get(reverse("posts:new"))
        self.login(self.alice)
        yield "staff", self.client.get(reverse("accounts:home"))
        yield "staff audit", self.client.get(reverse("accounts:audit_log"))
        self.login(self.carol)
        yield "tablet", self.client.get(reverse("shelter_tablet"))

    def test_it_sends_a_strict_content_security_policy_on_every_kind_of_page(self):
        for name, response in self.pages():
            with self.subTest(name):
                self.assertEqual(response.status_code, 200)
                policy = directives(response)
                self.assertEqual(policy["default-src"], ["'self'"])
                # The nonce is in the policy only when the page used it (Django's LazyNonce): then it is fresh.
                for directive in ("script-src", "style-src"):
                    self.assertEqual(policy[directive][0], "'self'")
                    for value in policy[directive][1:]:
                        self.assertRegex(value, r"^'nonce-[A-Za-z0-9_\-+/=]{16,}'$")
                self.assertNotIn("'unsafe-inline'", policy["script-src"] + policy["style-src"])
                self.assertNotIn("'unsafe-eval'", policy["script-src"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertEqual(policy["base-uri"], ["'none'"])
                self.assertIn("https://cyberjapandata.gsi.go.jp", policy["img-src"])

    def test_it_gives_each_inline_style_the_nonce_of_its_response(self):
        self.login(self.alice)
        response = self.client.get(reverse("lifelines:manage"))
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        tags = re.findall(r"<(?:style|script)\b[^>]*>", response.content.decode())
        inline = [tag for tag in tags if "src=" not in tag and 'type="application/json"' not in tag]
        self.assertTrue(inline, "the page should have an inline <style> to check")
        self.assertEqual([tag for tag in inline if f'nonce="{nonce}"' not in tag], [])

    def test_it_uses_a_new_nonce_for_each_response(self):
        self.login(self.alice)
        first, second = (self.client.get(reverse("lifelines:manage")).headers["Content-Security-Policy"]
                         for _ in range(2))
        self.assertIn("'nonce-", first)
        self.assertNotEqual(first, second)

    def test_it_allows_position_and_camera_to_the_site_only_and_nothing_else(self):
        for name, response in self.pages():
            with self.subTest(name):
                policy = dict(part.split("=", 1) for part in response.headers["Permissions-Policy"].split(", "))
                self.assertEqual(policy.pop("geolocation"), "(self)")
                self.assertEqual(policy.pop("camera"), "(self)")
                self.assertEqual(set(policy.values()), {"()"})
                self.assertIn("microphone", policy)

    def test_it_lets_images_come_from_the_configured_tile_server(self):
        from toki.lib.tests.test_settings import manage

        result = manage("shell", "-c", "from django.conf import settings; print(*settings.SECURE_CSP['img-src'])",
                        TOKI_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
        self.assertIn("'self' data: https://*.tile.example.org\n", result.stdout, result.stderr)


class TemplatesKeepToThePolicyTests(SimpleTestCase):
    """Permanent checks on the source, so the next template or view keeps to the rules without anyone
    remembering (docs/security.md)."""

    REPO = Path(__file__).resolve().parents[3]

    def templates(self):
        for path in sorted([*self.REPO.glob("templates/**/*.html"), *self.REPO.glob("toki/**/templates/**/*.html")]):
            if "static_site" not in path.parts:  # published as files and served by nginx, see docs/static-site.md
                yield path.relative_to(self.REPO).as_posix(), path.read_text(encoding="utf-8")

    def test_it_finds_no_inline_script_or_style_without_the_nonce(self):
        found = []
        for name, text in self.templates():
            for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
                if "src=" in tag or 'type="application/json"' in tag or 'nonce="{{ csp_nonce }}"' in tag:
                    continue
                found.append(f"{name}: {tag}")
        self.assertEqual(found, [])

    def test_it_finds_no_inline_event_handler_or_style_attribute(self):
        found = [f"{name}: {match}" for name, text in self.templates()
                 for match in re.findall(r"<[a-zA-Z][^>]*\s(?:on[a-z]+|style)\s*=", text)]
        self.assertEqual(found, [])

    def test_it_reads_the_client_address_in_one_place_only(self):
        found = [path.relative_to(self.REPO).as_posix() for path in sorted(self.REPO.glob("toki/**/*.py"))
                 if "tests" not in path.parts and path.name != "client_address.py"
                 and re.search(r"[\"']REMOTE_ADDR[\"']|HTTP_X_REAL_IP|HTTP_X_FORWARDED_FOR|[\"']X-Real-IP[\"']"
                               r"|[\"']X-Forwarded-For[\"']", path.read_text(encoding="utf-8"), re.I)]
        self.assertEqual(found, [], "use toki.lib.client_address.client_address(request)")
