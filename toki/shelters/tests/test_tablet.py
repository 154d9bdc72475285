"""The offline tablet's page shell, service worker and manifest (toki.shelters.views_tablet, docs/shelter-pwa.md).

What the tablet does offline is checked in the browser (tests_browser/shelter_pwa.py); these are the server's
promises it relies on."""

import json

from django.templatetags.static import static
from django.test import override_settings

from toki.shelters import views_tablet
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase

TABLET = "/shelter-ops/tablet/"
SW = "/shelter-ops/sw.js"
MANIFEST = "/shelter-ops/manifest.webmanifest"
SIMPLE_STATIC = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                 "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="tablet-config" type="application/json">') + len(
        '<script id="tablet-config" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


@override_settings(STORAGES=SIMPLE_STATIC)
class TabletPageTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def test_it_serves_the_tablet_to_shelter_staff(self):
        self.login(self.carol)
        response = self.client.get(TABLET)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'<link rel="manifest" href="{MANIFEST}">')
        config = config_of(response)
        self.assertEqual(config["serviceWorker"], SW)
        self.assertEqual(config["scope"], "/shelter-ops/")
        self.assertEqual(config["batch"], 200)
        self.assertIn("csrftoken", response.cookies)  # the sync POSTs send it back as X-CSRFToken

    def test_it_is_never_cached_by_http_caches(self):
        self.login(self.carol)
        response = self.client.get(TABLET)
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_serves_the_tablet_to_hq_managers(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(TABLET).status_code, 200)

    def test_it_refuses_an_outsider(self):
        self.login(self.eve)
        self.assertEqual(self.client.get(TABLET).status_code, 403)

    def test_it_refuses_welfare_staff(self):
        self.login(self.dave)
        self.assertEqual(self.client.get(TABLET).status_code, 403)

    def test_it_sends_the_anonymous_to_the_login(self):
        response = self.client.get(TABLET)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_it_writes_the_strings_in_japanese_by_default(self):
        self.login(self.carol)
        response = self.client.get(TABLET)
        self.assertContains(response, '<html lang="ja">')
        self.assertEqual(set(config_of(response)["strings"]), set(views_tablet.tablet_strings()))

    def test_it_loads_every_script_the_worker_precaches(self):
        self.login(self.carol)
        response = self.client.get(TABLET)
        for script in views_tablet.TABLET_SCRIPTS:
            self.assertContains(response, f'<script src="{static(script)}" defer></script>')


@override_settings(STORAGES=SIMPLE_STATIC)
class ServiceWorkerTests(BaseTestCase):
    def test_it_serves_the_worker_to_anyone_with_its_scope(self):
        response = self.client.get(SW)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/javascript; charset=utf-8")
        self.assertEqual(response["Service-Worker-Allowed"], "/shelter-ops/")
        self.assertEqual(response["Cache-Control"], "no-cache")

    def test_it_lists_the_page_and_every_static_file_to_precache(self):
        body = self.client.get(SW).content.decode()
        line = next(line for line in body.splitlines() if line.startswith("const TOKI_PRECACHE = "))
        urls = json.loads(line.removeprefix("const TOKI_PRECACHE = ").rstrip(";"))
        self.assertIn(TABLET, urls)
        self.assertIn(MANIFEST, urls)
        for path in views_tablet.TABLET_STATIC:
            self.assertIn(static(path), urls)
        self.assertIn('self.addEventListener("fetch"', body)

    def test_it_changes_its_version_when_a_static_url_changes(self):
        first = self.client.get(SW).content.decode().splitlines()[0]
        with override_settings(STATIC_URL="/assets/"):
            second = self.client.get(SW).content.decode().splitlines()[0]
        self.assertTrue(first.startswith("const TOKI_CACHE_VERSION = "))
        self.assertNotEqual(first, second)


class ManifestTests(BaseTestCase):
    @override_settings(STORAGES=SIMPLE_STATIC)
    def test_it_is_installable(self):
        response = self.client.get(MANIFEST)
        self.assertEqual(response["Content-Type"], "application/manifest+json")
        manifest = json.loads(response.content)
        self.assertEqual(manifest["start_url"], TABLET)
        self.assertEqual(manifest["scope"], "/shelter-ops/")
        self.assertEqual(manifest["display"], "standalone")
        self.assertEqual({icon["sizes"] for icon in manifest["icons"]}, {"192x192", "512x512"})
        self.assertTrue(manifest["name"])
