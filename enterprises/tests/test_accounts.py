"""Sign-up (new firm or request to join), invitations, join confirmation and password reset by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import User
from enterprises.models import Enterprise, EnterpriseMembership
from enterprises.services import enterprise_register, member_invite
from enterprises.tests.factories import valid_credit_code

pytestmark = pytest.mark.django_db
REGISTER = reverse("enterprises:register")
CODE = valid_credit_code(9001)
SIGN_UP = {
    "username": "cfo",
    "email": "cfo@example.com",
    "password": "Strong-pass-2024",
    "password_again": "Strong-pass-2024",
    "credit_code": CODE,
    "name": "新注册科技有限公司",
    "region_code": "440305",
    "industry_code": "C39",
    "established": "2019-05-01",
}


def test_signing_up_creates_the_firm_with_the_user_as_administrator(client):
    response = client.post(REGISTER, SIGN_UP)
    assert response.url == reverse("enterprises:dashboard")
    membership = EnterpriseMembership.objects.get()
    assert (membership.user.username, membership.role, membership.enterprise.credit_code) == ("cfo", "admin", CODE)
    assert client.get(reverse("enterprises:dashboard")).status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"credit_code": CODE[:-1] + ("0" if CODE[-1] != "0" else "1")}, "credit_code", "校验位"),
        ({"password": "1234567890", "password_again": "1234567890"}, "password", ""),
        ({"password_again": "other-pass-2024"}, "password_again", "不一致"),
        ({"region_code": "990000"}, "region_code", "省级"),
        ({"email": "not-an-email"}, "email", ""),
    ],
)
def test_bad_sign_ups_say_why_and_create_nothing(client, change, field, fragment):
    response = client.post(REGISTER, {**SIGN_UP, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert fragment in " ".join(response.context["form"].errors[field])
    assert not User.objects.exists() and not Enterprise.objects.exists()


def test_the_join_offer_also_appears_in_the_english_ui(client):
    enterprise_register(**_service_args(SIGN_UP))
    second = {**SIGN_UP, "username": "accountant", "email": "acc@example.com"}
    refused = client.post(REGISTER, second, HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in refused.content.decode()
    assert 'name="join_existing"' in refused.content.decode()


def test_a_registered_credit_code_offers_to_join_and_the_admin_confirms(client):
    enterprise_register(**_service_args(SIGN_UP))
    second = {**SIGN_UP, "username": "accountant", "email": "acc@example.com"}
    refused = client.post(REGISTER, second)
    assert "已注册" in refused.content.decode() and 'name="join_existing"' in refused.content.decode()
    response = client.post(REGISTER, {**second, "join_existing": "on"})
    assert response.url == reverse("enterprises:register-pending")
    pending = EnterpriseMembership.objects.get(user__username="accountant")
    assert not pending.approved
    assert client.get(reverse("enterprises:dashboard")).status_code == 404  # not confirmed yet
    client.force_login(User.objects.get(username="cfo"))
    client.post(reverse("enterprises:member-approve", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.approved


def _service_args(form: dict) -> dict:
    from datetime import date

    args = {k: v for k, v in form.items() if k != "password_again"}
    return {**args, "established": date.fromisoformat(form["established"])}


def test_an_invited_colleague_sets_a_password_from_the_email(client):
    admin = enterprise_register(**_service_args(SIGN_UP)).user
    client.force_login(admin)
    client.post(reverse("enterprises:members"), {"username": "colleague", "email": "col@example.com"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["col@example.com"]
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Tea-kettle-9031!", "new_password2": "Tea-kettle-9031!"}
    )
    assert client.login(username="colleague", password="Tea-kettle-9031!")


def test_only_the_administrator_invites(client):
    from core.exceptions import ApplicationError

    membership = enterprise_register(**_service_args(SIGN_UP))
    member = User.objects.create(username="plain")
    EnterpriseMembership.objects.create(user=member, enterprise=membership.enterprise, role="member")
    with pytest.raises(ApplicationError):
        member_invite(enterprise=membership.enterprise, invited_by=member, email="x@example.com", username="x")
    assert not User.objects.filter(username="x").exists()


def test_password_reset_sends_a_link_for_a_known_email_only(client):
    enterprise_register(**_service_args(SIGN_UP))
    url = reverse("enterprises:password-reset")
    assert client.get(url).status_code == 200
    client.post(url, {"email": "nobody@example.com"})
    assert len(mail.outbox) == 0
    response = client.post(url, {"email": "cfo@example.com"})
    assert response.url == reverse("enterprises:password-reset-done")
    assert len(mail.outbox) == 1 and "/enterprise/password-reset/" in mail.outbox[0].body
