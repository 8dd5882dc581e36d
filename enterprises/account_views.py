"""Sign-up (a claim or a join request, verified before use), colleagues (invite, confirm join requests) and password
reset by email. Thin: ``enterprises.accounts`` decides."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import form_error_add
from core.permissions import enterprise_required

from .accounts import enterprise_register, member_invite, membership_approve, registration_of
from .forms import InviteForm, RegistrationForm
from .models import EnterpriseMembership

RESET_EMAIL = "enterprises/email/password_reset.txt"
RESET_SUBJECT = "enterprises/email/password_reset_subject.txt"


@sensitive_post_parameters("password", "password_again")
def register(request):
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = enterprise_register(**form.cleaned_data_for_service())
        except ValidationError as error:
            form_error_add(form, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            # One answer for a new firm, a claim and a join request: the page never tells who registered a code.
            messages.info(request, _("注册申请已提交。核验通过后您即可使用企业功能。"))
            return redirect("enterprises:register-pending")
    return render(request, "enterprises/register.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def register_pending(request):
    """The applicant's waiting page: pending (the same words whoever verifies), refused with the reason, or — once
    confirmed — on to the firm's home."""
    membership = registration_of(request.user)
    if membership is not None and membership.approved:
        return redirect("enterprises:dashboard")
    return render(request, "enterprises/register_pending.html", {"membership": membership})


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
