"""Settings of bench/cached_home.py: Toki's own, with the URLconf that adds the trivial reference view."""

from toki.settings import *  # noqa: F403 - the same settings as the site, only the URLconf differs

ROOT_URLCONF = "_reference_urls"
