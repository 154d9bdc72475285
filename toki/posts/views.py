"""Citizen posts: the public list, the form and its thank-you page, and the moderators' queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.lib.client_address import client_address
from toki.posts import device, permissions, selectors
from toki.posts.actions import (
    RateLimited,
    approve_post,
    hide_post,
    photos_full_message,
    refusal_before_work,
    reject_post,
    submit_post,
)
from toki.posts.forms import PostForm, ReasonForm

PAGE_SIZE = 20


def post_list(request):
    municipality = default_municipality_or_404()
    page = Paginator(selectors.published_posts(municipality), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "posts/list.html", {"page": page, "posts": page.object_list})


@never_cache
def new_post(request):
    municipality = default_municipality_or_404()
    token = device.token_from(request)
    status = 200
    if request.method != "POST":
        form = PostForm(municipality=municipality)
    else:
        device_hash = device.hash_token(token) if token else ""
        address_key = selectors.address_limit().key_for(client_address(request))
        refusal, photo_refusal = None, None
        if not token:
            refusal = _("Your browser did not send its device cookie. Allow cookies and try again.")
        elif refusal := refusal_before_work(device_hash, address_key):
            status = 429
        elif request.FILES.get("photo") and selectors.pending_photos_full():
            photo_refusal = photos_full_message()
        # A refused post keeps its text but not its photo: the photo is not even decoded then.
        form = PostForm(request.POST, None if refusal or photo_refusal else request.FILES, municipality=municipality)
        if form.is_bot:
            return redirect("posts:thanks")  # say nothing to a bot; store nothing
        if refusal or photo_refusal:
            form.add_error("photo" if photo_refusal else None, photo_refusal or refusal)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                submit_post(acting_user=request.user, municipality=municipality, category=data["category"],
                            text=data["text"], latitude=data["latitude"], longitude=data["longitude"],
                            district=data["district"], photo=data["photo"], device_hash=device_hash,
                            address_key=address_key)
            except RateLimited as exc:
                form.add_error(None, exc)
                status = 429
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("posts:thanks")
    response = render(request, "posts/new.html", {"form": form}, status=status)
    if not token:
        device.set_cookie(response, device.new_token())
    return response


def thanks(request):
    return render(request, "posts/thanks.html")


def _moderator_municipality(request):
    municipality = default_municipality_or_404()
    if not permissions.may_moderate(request.user):
        raise Http404
    return municipality


@login_required
def moderate(request):
    municipality = _moderator_municipality(request)
    queue = selectors.moderation_queue(request.user, municipality)
    return render(request, "posts/moderate.html", {
        "queue": queue[:50], "queue_count": queue.count(),
        "published": selectors.published_for_moderation(request.user, municipality)[:50],
    })


def _act(request, pk, action, *, needs_reason: bool, done: str):
    municipality = _moderator_municipality(request)
    post = selectors.get_post_for_moderation(request.user, municipality, pk)
    kwargs = {}
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
            return redirect("posts:moderate")
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        action(acting_user=request.user, post=post, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("posts:moderate")


@login_required
@require_POST
def approve(request, pk):
    return _act(request, pk, approve_post, needs_reason=False, done=_("Published."))


@login_required
@require_POST
def reject(request, pk):
    return _act(request, pk, reject_post, needs_reason=True, done=_("Rejected."))


@login_required
@require_POST
def hide(request, pk):
    return _act(request, pk, hide_post, needs_reason=True, done=_("Hidden."))
