"""Staff pages for notices under /notices/manage/: HQ and department editors write, preview, publish and
withdraw. Everyone else gets a 404 (DESIGN.md rule 4). Plain forms: no JavaScript needed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.notices import actions, permissions, selectors
from toki.notices.forms import NoticeForm, html_lang
from toki.notices.models import Notice

PAGE_SIZE = 50


def _staff_municipality(request):
    municipality = default_municipality()
    if municipality is None or not permissions.may_manage_notices(request.user):
        raise Http404
    return municipality


def _notice(request, municipality, pk: int) -> Notice:
    try:
        return selectors.get_notice_for_staff(request.user, municipality, pk)
    except Notice.DoesNotExist:
        raise Http404 from None


@login_required
def manage_list(request):
    municipality = _staff_municipality(request)
    page = Paginator(selectors.notices_for_staff(request.user, municipality), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [{"notice": n, "version": n.version_for("ja"), "languages": [v.language for v in n.versions.all()]}
            for n in page.object_list]
    return render(request, "notices/manage_list.html", {"page": page, "rows": rows})


def _save(request, form, municipality, *, notice=None):
    """Run the action for a valid form; on a ValidationError put it on the form and return None."""
    try:
        if notice is None:
            return actions.create_notice(acting_user=request.user, municipality=municipality,
                                         **form.notice_fields())
        return actions.update_notice(acting_user=request.user, notice=notice, **form.notice_fields())
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
def manage_create(request):
    municipality = _staff_municipality(request)
    form = NoticeForm(request.POST or None, municipality=municipality)
    notice = _save(request, form, municipality) if request.method == "POST" and form.is_valid() else None
    if notice is not None:
        messages.success(request, _("The notice was saved as a draft. Check it, then publish it."))
        return redirect("notices:manage_detail", pk=notice.pk)
    return render(request, "notices/manage_form.html", {"form": form, "notice": None})


@login_required
def manage_edit(request, pk: int):
    municipality = _staff_municipality(request)
    notice = _notice(request, municipality, pk)
    form = NoticeForm(request.POST or None, municipality=municipality, notice=notice)
    if request.method == "POST" and form.is_valid() and _save(request, form, municipality, notice=notice):
        messages.success(request, _("The notice was saved."))
        return redirect("notices:manage_detail", pk=notice.pk)
    return render(request, "notices/manage_form.html", {"form": form, "notice": notice})


@login_required
def manage_detail(request, pk: int):
    """The notice as readers will see it, in every language it has, with publish or withdraw."""
    municipality = _staff_municipality(request)
    notice = _notice(request, municipality, pk)
    by_language = {v.language: v for v in notice.versions.all()}
    return render(request, "notices/manage_detail.html", {
        "notice": notice,
        "versions": [{"version": by_language[code], "lang": html_lang(code), "name": name}
                     for code, name in settings.LANGUAGES if code in by_language],
        "missing": [name for code, name in settings.LANGUAGES if code not in by_language],
    })


def _toggle(request, pk: int, action, message: str):
    municipality = _staff_municipality(request)
    notice = _notice(request, municipality, pk)
    try:
        action(acting_user=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect("notices:manage_detail", pk=notice.pk)


@login_required
@require_POST
def manage_publish(request, pk: int):
    return _toggle(request, pk, actions.publish_notice, _("The notice is published."))


@login_required
@require_POST
def manage_unpublish(request, pk: int):
    return _toggle(request, pk, actions.unpublish_notice, _("The notice was withdrawn from the public pages."))
