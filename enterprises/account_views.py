"""Sign-up, colleagues (invite, confirm join requests) and password reset by email."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import enterprise_required

from .forms import InviteForm, RegistrationForm
from .models import EnterpriseMembership
from .services import enterprise_register, member_invite, membership_approve

RESET_EMAIL = "enterprises/email/password_reset.txt"
RESET_SUBJECT = "enterprises/email/password_reset_subject.txt"


def register(request):
    form = RegistrationForm(request.POST or None)
    duplicate = False
    if request.method == "POST" and form.is_valid():
        try:
            membership = enterprise_register(**form.cleaned_data_for_service())
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            # Keyed on the error code, not its text: the message is translated.
            duplicate = any(e.code == "already_registered" for e in error.error_dict.get("credit_code", []))
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            if not membership.approved:
                messages.info(request, _("已向该企业管理员发送加入申请,确认后即可使用。"))
                return redirect("enterprises:register-pending")
            messages.success(request, _("注册成功,欢迎使用创新积分平台。"))
            return redirect("enterprises:dashboard")
    context = {"form": form, "duplicate": duplicate or form.data.get("join_existing")}
    return render(request, "enterprises/register.html", context, status=400 if form.errors else 200)


def register_pending(request):
    return render(request, "enterprises/register_pending.html")


@enterprise_required
def members(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = member_invite(enterprise=request.enterprise, invited_by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            _send_set_password_mail(request, membership.user.email)
            messages.success(request, _("邀请邮件已发送至 %(email)s。") % {"email": membership.user.email})
            return redirect("enterprises:members")
    memberships = request.enterprise.memberships.select_related("user").order_by("-approved", "created_at")
    is_admin = memberships.filter(user=request.user, role="admin", approved=True).exists()
    context = {"enterprise": request.enterprise, "memberships": memberships, "form": form, "is_admin": is_admin}
    return render(request, "enterprises/members.html", context, status=400 if form.errors else 200)


@enterprise_required
@require_POST
def member_approve(request, pk: int):
    membership = get_object_or_404(EnterpriseMembership.objects.filter(enterprise=request.enterprise), pk=pk)
    try:
        membership_approve(membership=membership, approved_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已确认 %(user)s 加入企业。") % {"user": membership.user.username})
    return redirect("enterprises:members")


def _send_set_password_mail(request, email: str) -> None:
    """The invitee sets their own password through the password-reset link (the token expires like any reset)."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(request=request, email_template_name=RESET_EMAIL, subject_template_name=RESET_SUBJECT,
                  use_https=request.is_secure())  # fmt: skip


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "enterprises/password_reset.html"
    email_template_name = RESET_EMAIL
    subject_template_name = RESET_SUBJECT
    success_url = reverse_lazy("enterprises:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "enterprises/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "enterprises/password_reset_confirm.html"
    success_url = reverse_lazy("enterprises:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "enterprises/password_reset_complete.html"
