"""Values every template needs: the municipality and the languages for the switcher."""

from django.conf import settings

from toki.areas.selectors import default_municipality


def site(request):
    return {
        "municipality": default_municipality(),
        "site_languages": settings.LANGUAGES,
        "tile_url": settings.TOKI_TILE_URL,
    }
