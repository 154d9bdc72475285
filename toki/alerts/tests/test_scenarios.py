"""Disaster-day scenarios (toki/alerts/scenarios/*/scenario.yaml, docs/scenarios.md): one test per scenario file,
replayed through the real path (feed server → poll_jma → worker → portal, 軽量版, API, CAP, LINE). A failing
scenario prints its timeline: each step, what was done, and every expectation that was not met with what was seen.

The test classes are generated from the files, one per scenario (so the parallel runner spreads them over its
processes), each with its own feed server and LINE server: a new scenario directory is a new test."""

import shutil
import tempfile
from collections import Counter
from pathlib import Path

from django.test import override_settings

from toki.alerts.tests.jma_feed_server import DATA_PATH, FeedServer
from toki.alerts.tests.scenario_files import LANGUAGES, all_scenarios, load, load_phrases
from toki.alerts.tests.scenario_runner import Replay
from toki.notify.line.localserver import LocalLineServer
from toki.notify.tests.helpers import subscriber
from toki.test import DATABASE_TASKS, BaseTransactionTestCase

TOKEN = "scenario-token"


class ScenarioTestCase(BaseTransactionTestCase):
    scenario_directory = None  # set by the generated subclasses below

    @classmethod
    def setUpClass(cls):
        import linebot.v3.messaging  # noqa: F401 - the SDK's slow first import, once per class

        cls.feed_server = FeedServer().start()
        cls.line_server = LocalLineServer(TOKEN).start()
        cls.static_dir = tempfile.mkdtemp(prefix="toki-scenario-lite-")
        cls.overrides = override_settings(
            TASKS=DATABASE_TASKS, TOKI_JMA_TIMEOUT=2, TOKI_JMA_LONG_FEEDS=[], TOKI_STATIC_SITE_DIR=cls.static_dir,
            LINE_API_BASE_URL=cls.line_server.base_url, LINE_API_DATA_BASE_URL=cls.line_server.base_url,
            LINE_CHANNEL_ACCESS_TOKEN=TOKEN, NOTIFY_SEND_THREADS=1, SITE_URL="https://bousai.example.jp")
        cls.overrides.enable()
        cls.phrases = load_phrases()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.overrides.disable()
        cls.line_server.stop()
        cls.feed_server.stop()
        shutil.rmtree(cls.static_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.feed_server.reset()
        self.line_server.reset()
        for child in list(Path(self.static_dir).iterdir()):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        # One resident per language, for the whole municipality and every category (as a LINE follow with the
        # settings page's defaults would make them).
        self.subscribers = {language: subscriber(self.municipality, language=language).address
                            for language in LANGUAGES}

    def replay(self, directory) -> Replay:
        scenario = load(directory, self.phrases)
        for name, spec in scenario.residents.items():  # residents of some districts only
            districts = [self.districts[code] for code in spec["districts"]]
            self.subscribers[name] = subscriber(self.municipality, language=spec["language"],
                                                districts=districts).address
        replay = Replay(scenario, feed_server=self.feed_server, line_server=self.line_server, staff_user=self.alice,
                        municipality=self.municipality, subscribers=self.subscribers)
        replay.run()
        return replay

    def assert_scenario(self, directory) -> None:
        replay = self.replay(directory)
        invalid = [f"{r.status} {r.path}: {r.error}" for r in self.line_server.invalid_requests]
        keys = [r.headers.get("x-line-retry-key") for r in self.line_server.requests if r.operation == "multicast"]
        downloads = Counter(r.path for r in self.feed_server.requests if r.path.startswith(DATA_PATH))
        problems = [f"telegram {path} downloaded {n} times (JMA's etiquette: never twice)"
                    for path, n in downloads.items() if n > 1]
        if invalid:
            problems.append("LINE refused: " + "; ".join(invalid))
        if len(keys) != len(set(keys)):
            problems.append("a LINE retry key was used twice (a message sent twice)")
        if replay.failures or problems:
            self.fail("\n" + replay.timeline() + ("\n" + "\n".join(problems) if problems else ""))


def _scenario_class(directory) -> type:
    def test_it_replays_the_scenario(self):
        self.assert_scenario(directory)

    test_it_replays_the_scenario.__doc__ = f"scenario {directory.name}"
    name = "".join(part.title() for part in directory.name.split("_")) + "ScenarioTests"
    return type(name, (ScenarioTestCase,), {"__module__": __name__, "scenario_directory": directory,
                                            "test_it_replays_the_scenario": test_it_replays_the_scenario})


for _directory in all_scenarios():
    _class = _scenario_class(_directory)
    globals()[_class.__name__] = _class

