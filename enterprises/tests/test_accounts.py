"""Sign-up (new firm or request to join), invitations, join confirmation and password reset by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import User
from enterprises.accounts import enterprise_register, member_invite
from enterprises.models import Enterprise, EnterpriseMembership
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


PDF = b"%PDF-1.4 business licence"


def _licence(content: bytes = PDF, name: str = "licence.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _sign_up(client, **change):
    return client.post(REGISTER, {**SIGN_UP, "licence": _licence(), **change})


def _service_args(form: dict) -> dict:
    from datetime import date

    args = {k: v for k, v in form.items() if k != "password_again"}
    return {"licence": _licence(), **args, "established": date.fromisoformat(form["established"])}


def _register(**change):
    return enterprise_register(**_service_args({**SIGN_UP, **change}))


def _confirmed_admin():
    """A firm with a confirmed administrator (claimed and verified by the Guangdong bureau)."""
    from enterprises.accounts import claim_approve
    from tests.factories import BureauStaffFactory

    claim = _register()
    return claim_approve(membership=claim, user=BureauStaffFactory(region_scope="44").user)


def test_a_sign_up_is_a_claim_the_bureau_verifies_before_the_firm_can_be_used(client):
    from tests.factories import BureauStaffFactory

    response = _sign_up(client)
    assert response.url == reverse("enterprises:register-pending")
    claim = EnterpriseMembership.objects.get()
    assert (claim.user.username, claim.role, claim.approved, claim.enterprise.credit_code) == ("cfo", "admin", False,
                                                                                                CODE)  # fmt: skip
    assert claim.licence and claim.licence_type == "application/pdf"
    pending = reverse("enterprises:register-pending")
    assert client.get(reverse("enterprises:dashboard")).url == pending  # nothing of the firm before verification
    assert "核验中" in client.get(reverse("enterprises:register-pending")).content.decode()
    away, home = BureauStaffFactory(region_scope="33"), BureauStaffFactory(region_scope="44", role="reviewer")
    bureau = client_for(away.user)
    assert CODE not in bureau.get(reverse("review:claims")).content.decode()
    assert bureau.post(reverse("review:claim-approve", args=[claim.pk])).status_code == 404
    bureau = client_for(home.user)
    assert CODE in bureau.get(reverse("review:claims")).content.decode()
    assert bureau.get(reverse("review:claim-licence", args=[claim.pk])).getvalue() == PDF
    bureau.post(reverse("review:claim-approve", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.approved and claim.decided_by == home.user
    assert client.get(reverse("enterprises:dashboard")).status_code == 200
    assert client.get(reverse("enterprises:register-pending")).url == reverse("enterprises:dashboard")


def client_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_imported_figures_stay_hidden_from_an_unverified_claimant(client, batch):
    """The bureau imported the firm (no members); whoever signs up with its code first sees nothing of it."""
    from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory

    firm = EnterpriseFactory(credit_code=CODE, region_code="440305")
    SubmissionFactory(enterprise=firm, batch=batch, revenue=123456789, data_source="imported")
    _sign_up(client)
    claim = EnterpriseMembership.objects.get()
    assert (claim.enterprise, claim.role, claim.approved) == (firm, "admin", False)
    for name in ("dashboard", "filing", "consents", "members", "access-log"):  # each sends to the waiting page
        assert client.get(reverse(f"enterprises:{name}")).url == reverse("enterprises:register-pending"), name
    assert "123456789" not in client.get(reverse("enterprises:register-pending")).content.decode()


def test_the_answer_never_tells_whether_a_credit_code_is_registered(client):
    from django.test import Client

    new = Client().post(REGISTER, {**SIGN_UP, "licence": _licence()}, follow=True)
    known = Client().post(REGISTER, {**SIGN_UP, "username": "accountant", "email": "a@example.com",
                                     "licence": _licence()}, follow=True)  # fmt: skip
    assert new.redirect_chain == known.redirect_chain
    assert [str(m) for m in new.context["messages"]] == [str(m) for m in known.context["messages"]]
    volatile = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}|name=\"csrfmiddlewaretoken\" value=\"[^\"]+\"|cfo|accountant"
    assert re.sub(volatile, "", new.content.decode()) == re.sub(volatile, "", known.content.decode())


def test_a_join_request_to_a_firm_with_a_confirmed_administrator_is_confirmed_by_them(client):
    admin = _confirmed_admin().user
    _sign_up(client, username="accountant", email="acc@example.com")
    pending = EnterpriseMembership.objects.get(user__username="accountant")
    assert (pending.role, pending.approved) == ("member", False)
    assert client.get(reverse("enterprises:dashboard")).url == reverse("enterprises:register-pending")  # not yet
    assert not EnterpriseMembership.objects.claims_for(admin).exists()  # not the bureau's queue
    client.force_login(admin)
    client.post(reverse("enterprises:member-approve", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.approved and pending.decided_by == admin


def test_a_refused_claim_says_why_and_never_opens_the_firm(client):
    from tests.factories import BureauStaffFactory

    _sign_up(client)
    claim = EnterpriseMembership.objects.get()
    bureau = client_for(BureauStaffFactory(region_scope="44").user)
    bureau.post(reverse("review:claim-reject", args=[claim.pk]), {"note": ""})
    claim.refresh_from_db()
    assert claim.rejected_at is None  # a reason is required
    bureau.post(reverse("review:claim-reject", args=[claim.pk]), {"note": "执照名称与企业不符"})
    claim.refresh_from_db()
    assert claim.rejected_at is not None and not claim.approved
    assert "执照名称与企业不符" in client.get(reverse("enterprises:register-pending")).content.decode()
    assert client.get(reverse("enterprises:dashboard")).url == reverse("enterprises:register-pending")
    assert bureau.post(reverse("review:claim-approve", args=[claim.pk])).status_code == 404  # decided


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"credit_code": CODE[:-1] + ("0" if CODE[-1] != "0" else "1")}, "credit_code", "校验位"),
        ({"password": "1234567890", "password_again": "1234567890"}, "password", ""),
        ({"password_again": "other-pass-2024"}, "password_again", "不一致"),
        ({"region_code": "990000"}, "region_code", "省级"),
        ({"email": "not-an-email"}, "email", ""),
        ({"licence": "none"}, "licence", ""),
        ({"licence": "exe"}, "licence", "PDF"),
        ({"username": "a b"}, "username", ""),
    ],
)
def test_bad_sign_ups_say_why_and_create_nothing(client, change, field, fragment):
    change = dict(change)
    if change.get("licence") == "none":
        data = dict(SIGN_UP)
        del change["licence"]
    else:
        data = {**SIGN_UP, "licence": _licence(b"MZ\x90\x00" if change.pop("licence", None) == "exe" else PDF)}
    response = client.post(REGISTER, {**data, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert fragment in " ".join(response.context["form"].errors[field])
    assert not User.objects.exists() and not Enterprise.objects.exists()


@pytest.mark.parametrize(
    "name", ["CFO", "cf0", "c.f.o", "ｃｆｏ", "\u0441fo", "c_f-o", "svc-1234", "admin", "Admin.", "root"]
)
def test_look_alikes_of_existing_and_reserved_usernames_are_refused_with_one_message(client, name):
    _register()
    response = _sign_up(client, username=name, email="x@example.com", credit_code=valid_credit_code(9002))
    assert response.status_code == 400
    assert response.context["form"].errors["username"] == [
        "该用户名不可用(已被使用、与已有用户名相近或为保留名),请换一个。"
    ]
    assert User.objects.count() == 1


def test_a_username_is_stored_normalised():
    membership = _register(username="ｗａｎｇ．ｌｉ")
    assert membership.user.username == "wang.li" and membership.user.username_skeleton == "wangll"


def test_an_invited_colleague_sets_a_password_from_the_email(client):
    admin = _confirmed_admin().user
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

    membership = _confirmed_admin()
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
