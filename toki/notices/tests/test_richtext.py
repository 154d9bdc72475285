from toki.notices import richtext
from toki.notices.models import NoticeVersion
from toki.notices.templatetags.notice_text import notice_html
from toki.notices.tests.helpers import make_notice
from toki.test import BaseTestCase


class CleanTests(BaseTestCase):
    def test_it_strips_scripts_with_their_content(self):
        html = richtext.normalise("<p>避難所<script>alert('x')</script>です</p>")
        self.assertEqual(html, "<p>避難所です</p>")

    def test_it_strips_event_handler_attributes(self):
        html = richtext.normalise('<p onclick="steal()">a</p><b onmouseover="steal()">b</b>')
        self.assertNotIn("steal", html)
        self.assertIn("<b>b</b>", html)

    def test_it_strips_javascript_urls_however_they_are_written(self):
        for href in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                     "javascript&#58;alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "//evil.example"):
            with self.subTest(href=href):
                html = richtext.normalise(f'<p><a href="{href}">link</a></p>')
                self.assertNotIn("href", html)
                self.assertIn("link", html)

    def test_it_strips_style_attributes_and_style_elements(self):
        html = richtext.normalise('<p style="position:fixed">a</p><style>body{display:none}</style>')
        self.assertEqual(html, "<p>a</p>")

    def test_it_strips_images_iframes_and_forms(self):
        html = richtext.normalise('<p>a<img src="x" onerror="alert(1)"><iframe src="https://x"></iframe>'
                                  '<form><input name="q"></form></p>')
        self.assertEqual(html, "<p>a</p>")

    def test_it_keeps_the_allowed_subset(self):
        source = ('<p>一<br>二</p><p><strong>強</strong><b>太</b></p><ul><li>a</li></ul><ol><li>b</li></ol>')
        self.assertEqual(richtext.normalise(source), source)

    def test_it_keeps_http_https_tel_mailto_and_site_links(self):
        for href in ("https://www.city.sado.niigata.jp/", "http://example.jp/", "tel:119", "mailto:bousai@example.jp",
                     "/shelters/"):
            with self.subTest(href=href):
                self.assertIn(f'href="{href}"', richtext.normalise(f'<p><a href="{href}">x</a></p>'))

    def test_it_marks_links_noopener(self):
        self.assertIn('rel="noopener noreferrer nofollow"', richtext.normalise('<p><a href="https://a.jp">a</a></p>'))

    def test_it_makes_paragraphs_of_plain_text(self):
        self.assertEqual(richtext.normalise("一行目\r\n二行目\n\n次の段落 1 < 2"),
                         "<p>一行目<br>二行目</p><p>次の段落 1 &lt; 2</p>")

    def test_it_is_idempotent(self):
        once = richtext.normalise('<p>a <a href="https://a.jp">b</a></p><ul><li>c</li></ul>')
        self.assertEqual(richtext.normalise(once), once)

    def test_it_gives_the_plain_text_of_a_body(self):
        self.assertEqual(richtext.plain_text("<p>a &amp; b<br>c</p><ul><li>d</li></ul>"), "a & b\nc\nd")


class RenderTests(BaseTestCase):
    def test_it_cleans_again_when_rendering(self):
        self.assertEqual(notice_html('<p onclick="x()">a</p><script>alert(1)</script>'), "<p>a</p>")

    def test_it_never_renders_a_script_written_around_the_actions(self):
        notice = make_notice(self)
        NoticeVersion.objects.filter(notice=notice).update(body='<p>本文</p><script>alert(1)</script>'
                                                                '<a href="javascript:alert(2)">x</a>')
        response = self.client.get(f"/notices/{notice.pk}/")
        self.assertContains(response, "<p>本文</p>")
        self.assertNotContains(response, "alert(1)")
        self.assertNotContains(response, "javascript:")
