"""Three realistic Sado notices in Japanese and English, published. Idempotent: a notice whose Japanese title
already exists is left alone. Called by the demo's seed_demo."""

from django.core.management.base import BaseCommand, CommandError

from toki.accounts.models import OrgUnit, Role, User
from toki.areas.selectors import default_municipality
from toki.notices import actions, permissions
from toki.notices.models import Notice, NoticeVersion

DEMO_USERNAME = "alice"

NOTICES = (
    {
        "category": Notice.Category.LIFE, "is_important": True, "districts": (),
        "versions": {
            "ja": ("冬季の停電への備え", (
                "<p>冬の佐渡では、暴風雪や着雪で電線が切れ、長い時間停電することがあります。"
                "2022年12月の大雪では、島内の多くの世帯で停電が続きました。</p>"
                "<p><strong>今のうちに次のものを準備しましょう。</strong></p>"
                "<ul><li>懐中電灯と予備の電池</li><li>電気を使わない暖房器具（換気に注意）と燃料</li>"
                "<li>3日分以上の飲料水と食料</li><li>携帯電話の充電器（モバイルバッテリー）</li></ul>"
                "<p>停電の状況は<a href=\"https://nw.tohoku-epco.co.jp/\">東北電力ネットワーク</a>の停電情報で確認"
                "できます。倒れた電線には絶対に近づかないでください。火事のときは<a href=\"tel:119\">119</a>へ。</p>")),
            "en": ("Getting ready for winter power cuts", (
                "<p>In winter on Sado, storms and heavy snow can bring down power lines and cut the electricity for "
                "a long time. In the heavy snow of December 2022 many homes on the island were without power.</p>"
                "<p><strong>Prepare these now:</strong></p>"
                "<ul><li>A torch and spare batteries</li><li>A heater that needs no electricity, and fuel (keep the "
                "room aired)</li><li>Water and food for at least three days</li><li>A charger for your mobile phone "
                "(a power bank)</li></ul>"
                "<p>See the outage information of <a href=\"https://nw.tohoku-epco.co.jp/\">Tohoku Electric Power "
                "Network</a>. Never go near a fallen power line. In case of fire call <a href=\"tel:119\">119</a>."
                "</p>")),
        },
    },
    {
        "category": Notice.Category.DISASTER, "is_important": False, "districts": ("ryotsu", "aikawa"),
        "versions": {
            "ja": ("佐渡市総合防災訓練のお知らせ", (
                "<p>地震と津波を想定した佐渡市総合防災訓練を行います。</p>"
                "<ul><li>会場：両津地区・相川地区の指定避難所</li>"
                "<li>内容：避難訓練、避難所の開設・運営、安否確認</li></ul>"
                "<p>訓練では防災行政無線と防災メールで訓練の情報をお伝えします。"
                "<strong>「訓練」と放送されたものは実際の災害ではありません。</strong></p>"
                "<p>日時は市報と<a href=\"https://www.city.sado.niigata.jp/\">佐渡市ホームページ</a>でお知らせします。"
                "問い合わせ：佐渡市 防災課</p>")),
            "en": ("Sado City disaster drill", (
                "<p>Sado City holds its disaster drill for an earthquake and tsunami.</p>"
                "<ul><li>Where: the designated shelters of Ryotsu and Aikawa</li>"
                "<li>What: evacuating, opening and running shelters, checking on residents' safety</li></ul>"
                "<p>Messages on the community radio and the disaster e-mail marked as a drill "
                "(<strong>訓練</strong>) are not a real disaster.</p>"
                "<p>The date is announced in the city newsletter and on the <a href=\"https://www.city.sado.niigata.jp/\">"
                "Sado City website</a>. Questions: Sado City Disaster Prevention Division.</p>")),
        },
    },
    {
        # Publicity for the portal itself: the plan's 周知回数 KPI counts notices of this category.
        "category": Notice.Category.PORTAL, "is_important": False, "districts": (),
        "versions": {
            "ja": ("災害のときは、この防災情報サイトをご覧ください", (
                "<p>警報、避難指示、開いている避難所、停電や断水の情報を、このサイトにまとめてお知らせします。</p>"
                "<ul><li>市公式LINEの「防災メニュー」からも開けます。</li>"
                "<li>通信が混み合うときは、画面の下にある「軽量版」をご利用ください。</li>"
                "<li>英語・中国語・韓国語・やさしい日本語でも読めます。</li></ul>"
                "<p>ご家族や近所の方にもお伝えください。問い合わせ：佐渡市 防災課</p>")),
            "en": ("In a disaster, use this disaster information site", (
                "<p>Warnings, evacuation orders, open shelters, power and water outages: this site brings them "
                "together.</p>"
                "<ul><li>Open it from the city's LINE account (防災メニュー) too.</li>"
                "<li>When the network is busy, use the light version linked at the bottom of the page.</li>"
                "<li>It is in English, Chinese, Korean, Japanese and easy Japanese.</li></ul>"
                "<p>Please tell your family and neighbours. Questions: Sado City Disaster Prevention Division.</p>")),
        },
    },
)


class Command(BaseCommand):
    help = "Create and publish the demo notices (idempotent)."

    def handle(self, *args, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("load the municipality profile first")
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None or not permissions.may_manage_notices(user):
            raise CommandError(f"the demo user {DEMO_USERNAME!r} needs an editor role in "
                               f"{OrgUnit.Kind.HQ} or {OrgUnit.Kind.DEPARTMENT} ({Role.EDITOR} or higher)")
        districts = {d.code: d for d in municipality.districts.defer("boundary")}
        created = 0
        for spec in NOTICES:
            title = spec["versions"]["ja"][0]
            if NoticeVersion.objects.filter(notice__municipality=municipality, language="ja", title=title).exists():
                continue
            notice = actions.create_notice(
                acting_user=user, municipality=municipality, category=spec["category"], versions=spec["versions"],
                districts=[districts[c] for c in spec["districts"] if c in districts],
                is_important=spec["is_important"],
            )
            actions.publish_notice(acting_user=user, notice=notice)
            created += 1
        self.stdout.write(f"notices: {created} created, {len(NOTICES) - created} already there")
