"""Background work of accounts. Tasks take ids only (DESIGN.md rule 12) and look the rest up when they run."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from toki.accounts.models import User
from toki.lib.tasks import task


@task
def send_login_attack_notice(user_id: int) -> bool:
    """Tell an account's owner by e-mail that logins to their account are failing and being held back. Sent only
    when e-mail is configured (EMAIL_HOST) and the account has an address; returns whether it was sent."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not settings.EMAIL_HOST:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Toki: failed logins to your account")
        body = _(
            "Someone has repeatedly entered a wrong password for your Toki account (%(username)s). Further "
            "attempts from their device are being held back. Your own device, where you logged in before, can "
            "still log in.\n\nIf this was not you, tell an administrator of the disaster headquarters; they can "
            "see the attempts in the audit log and lift the hold.") % {"username": user.username}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
