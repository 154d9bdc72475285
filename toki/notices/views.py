"""Public notice pages: the list (newest first, filter by category) and one notice. Published notices only."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from toki.areas.selectors import default_municipality_or_404
from toki.notices import selectors
from toki.notices.forms import CategoryFilterForm
from toki.notices.models import SOURCE_LANGUAGE, Notice
from toki.notices.presenters import shown, shown_all

PAGE_SIZE = 20


def notice_list(request):
    municipality = default_municipality_or_404()
    form = CategoryFilterForm(request.GET or None)
    category = form.cleaned_data["category"] if form.is_valid() else ""
    page = Paginator(selectors.public_notices(municipality, category=category), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notices/list.html", {
        "form": form, "category": category, "page": page,
        "items": shown_all(page.object_list, get_language() or SOURCE_LANGUAGE),
    })


def notice_detail(request, pk: int):
    municipality = default_municipality_or_404()
    try:
        notice = selectors.get_public_notice(municipality, pk)
    except Notice.DoesNotExist:
        raise Http404 from None
    item = shown(notice, get_language() or SOURCE_LANGUAGE)
    if item is None:
        raise Http404
    return render(request, "notices/detail.html", {"item": item})
