"""Signed score certificates: issued from the published result, verified online (valid / superseded / revoked /
forged) and offline (the command's exit codes), recognised by another region's bureau."""

import base64
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from core.audit import audit_entries_of
from dashboard.certificates import (
    FORGED,
    REVOKED,
    SUPERSEDED,
    VALID,
    CertificateError,
    canonical,
    certificate_issue,
    certificate_recognise,
    certificate_revoke,
    certificate_verify,
    public_keys,
)
from dashboard.models import CertificateRecognition, IssuedCertificate
from demo.services import demo_firms_create
from enterprises.models import Enterprise, EnterpriseMembership
from scoring.models import Score
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import BureauStaffFactory, UserFactory

pytestmark = pytest.mark.django_db
DOWNLOAD = reverse("report:certificate")


def _publish(batch):
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    scoring_run_publish(run=run)
    return run


@pytest.fixture
def published(batch):
    demo_firms_create(firms=60, seed=7, batch=batch)
    return _publish(batch)


@pytest.fixture
def scored_firm(published):
    return Enterprise.objects.get(pk=Score.objects.filter(run=published).order_by("-total").first().enterprise_id)


@pytest.fixture
def firm_user(scored_firm):
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=scored_firm, role="admin")
    return user


@pytest.fixture
def certificate(scored_firm, firm_user):
    return certificate_issue(enterprise=scored_firm, user=firm_user, base_url="https://points.example.org/")


def test_the_certificate_states_the_published_result_and_its_signature_verifies(certificate, scored_firm, published):
    document = certificate.document
    row = Score.objects.get(run=published, enterprise=scored_firm)
    assert document["credit_code"] == scored_firm.credit_code and document["firm"] == scored_firm.name
    assert document["total"] == f"{row.total:.2f}" and document["grade"] == row.grade
    assert document["ranks"] == {"national": row.rank_national, "province": row.rank_province,
                                 "industry": row.rank_industry}  # fmt: skip
    assert document["system"]["code"] == published.system.code and len(document["system"]["content_hash"]) == 64
    assert document["verify_url"] == f"https://points.example.org/verify/{certificate.pk}/"
    # The signature is Ed25519 over the canonical JSON of every other field, with the key the key id names.
    payload = {k: v for k, v in document.items() if k != "signature"}
    public_keys()[document["key_id"]].verify(base64.b64decode(document["signature"]), canonical(payload))
    assert certificate_verify(json.loads(json.dumps(document))).status == VALID
    assert audit_entries_of(certificate).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("total", "99.99"), ("grade", "A"), ("firm", "某某公司"), ("signature", "AAAA"), ("key_id", "0" * 16)],
)
def test_an_altered_field_is_forged(certificate, field, value):
    document = {**certificate.document, field: value}
    if document == certificate.document:
        document[field] = value + "0"
    assert certificate_verify(document).status == FORGED


def test_a_signature_of_another_key_is_forged(certificate):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    payload = {k: v for k, v in certificate.document.items() if k != "signature"}
    signature = base64.b64encode(Ed25519PrivateKey.generate().sign(canonical(payload))).decode()
    assert certificate_verify({**payload, "signature": signature}).status == FORGED


def test_a_newer_published_run_supersedes_the_certificate(certificate, batch):
    assert certificate_verify(certificate.document).status == VALID
    _publish(batch)
    assert certificate_verify(certificate.document).status == SUPERSEDED


def test_a_revoked_certificate_says_revoked(certificate):
    certificate_revoke(certificate=certificate, reason="error in the filing")
    assert certificate_verify(certificate.document).status == REVOKED
    assert audit_entries_of(certificate).count() == 2  # issued, revoked


def test_the_command_exits_0_for_a_valid_certificate_and_1_otherwise(certificate, tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(certificate.document, ensure_ascii=False))
    call_command("verify_certificate", str(good))
    assert "VALID" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**certificate.document, "total": "100.00"}))
    with pytest.raises(CommandError, match="FORGED") as raised:
        call_command("verify_certificate", str(bad))
    assert raised.value.returncode == 1
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    with pytest.raises(CommandError, match="not a certificate") as raised:
        call_command("verify_certificate", str(garbage))
    assert raised.value.returncode == 1


def test_the_command_is_a_real_exit_code(certificate, tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**certificate.document, "grade": "A" if certificate.document["grade"] != "A" else "B"}))
    environment = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed command
        [sys.executable, "manage.py", "verify_certificate", str(bad)], cwd=settings.BASE_DIR, capture_output=True,
        text=True, timeout=120, check=False, env=environment,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "FORGED" in result.stderr


def test_a_firm_downloads_only_its_own_certificate(client, firm_user, scored_firm):
    client.force_login(firm_user)
    response = client.post(DOWNLOAD, {"format": "json"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["credit_code"] == scored_firm.credit_code
    assert IssuedCertificate.objects.filter(enterprise=scored_firm).count() == 1
    # The view takes no firm from the request: another firm's user gets its own firm's certificate only.
    other = Enterprise.objects.exclude(pk=scored_firm.pk).order_by("pk").first()
    stranger = UserFactory()
    EnterpriseMembership.objects.create(user=stranger, enterprise=other, role="admin")
    client.force_login(stranger)
    theirs = json.loads(client.post(DOWNLOAD, {"format": "json"}).content)
    assert theirs["credit_code"] == other.credit_code != scored_firm.credit_code
    assert IssuedCertificate.objects.filter(enterprise=scored_firm).count() == 1
    assert Client().post(DOWNLOAD).status_code == 302  # anonymous: the login page


def test_the_printable_certificate_carries_the_qr_code_of_its_verification_link(client, firm_user):
    client.force_login(firm_user)
    html = client.post(DOWNLOAD, {"format": "print"}).content.decode()
    certificate = IssuedCertificate.objects.get()
    assert "<svg" in html and f"/verify/{certificate.pk}/" in html


def test_the_verify_page_is_public_and_says_valid_forged_superseded(certificate, batch):
    anonymous = Client()
    page = anonymous.get(reverse("verify:detail", args=[certificate.pk]))
    assert page.status_code == 200 and 'data-status="valid"' in page.content.decode()
    forged = json.dumps({**certificate.document, "total": "100.00"})
    page = anonymous.post(reverse("verify:page"), {"document": forged})
    assert 'data-status="forged"' in page.content.decode()
    assert "100.00" not in page.content.decode()  # a forgery's claims are not repeated
    page = anonymous.post(reverse("verify:page"), {"document": "{"})
    assert "JSON" in page.content.decode() and "data-status" not in page.content.decode()
    _publish(batch)
    page = anonymous.get(reverse("verify:detail", args=[certificate.pk]))
    assert 'data-status="superseded"' in page.content.decode()


def test_a_bureau_of_another_region_recognises_a_valid_certificate(certificate, scored_firm, client):
    province = scored_firm.region_code[:2]
    other = "11" if province != "11" else "31"
    staff = BureauStaffFactory(region_scope=other)
    own = BureauStaffFactory(region_scope=province)
    with pytest.raises(CertificateError):
        certificate_recognise(document=certificate.document, staff=own, programme="科技贷")
    with pytest.raises(CertificateError):
        certificate_recognise(document={**certificate.document, "total": "1.00"}, staff=staff, programme="科技贷")
    client.force_login(staff.user)
    response = client.post(reverse("verify:recognise"),
                           {"document": json.dumps(certificate.document), "programme": "人才计划"})  # fmt: skip
    assert response.status_code == 302
    recognition = CertificateRecognition.objects.get()
    assert (recognition.region_scope, recognition.programme, recognition.recognised_by) == (
        other,
        "人才计划",
        staff.user,
    )
    assert audit_entries_of(recognition).exists()
    assert "人才计划" in client.get(response["Location"]).content.decode()
    listing = client.get(reverse("verify:recognised")).content.decode()
    assert "人才计划" in listing and 'data-status="valid"' in listing
    assert "人才计划" not in Client().get(reverse("verify:detail", args=[certificate.pk])).content.decode()
    own_client = Client()
    own_client.force_login(own.user)
    assert "人才计划" not in own_client.get(reverse("verify:recognised")).content.decode()


def test_after_a_key_rotation_old_certificates_still_verify_with_the_kept_public_key(certificate, settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    old_private = base64.b64decode(settings.CERTIFICATE_SIGNING_KEY)
    old_public = Ed25519PrivateKey.from_private_bytes(old_private).public_key()
    raw_public = old_public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    new_key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    settings.CERTIFICATE_SIGNING_KEY = base64.b64encode(new_key).decode()
    assert certificate_verify(certificate.document).status == FORGED  # the old key is no longer known
    settings.CERTIFICATE_PUBLIC_KEYS = [base64.b64encode(raw_public).decode()]
    assert certificate_verify(certificate.document).status == VALID
    newer = certificate_issue(enterprise=certificate.enterprise, user=None)
    assert newer.document["key_id"] != certificate.document["key_id"]
    assert certificate_verify(newer.document).status == VALID


def test_an_expired_certificate_says_expired(scored_firm, settings):
    from dashboard.certificates import EXPIRED, check_signature

    settings.CERTIFICATE_VALID_DAYS = -1  # issued already past its expiry: what a year later looks like
    certificate = certificate_issue(enterprise=scored_firm, user=None)
    assert check_signature(certificate.document) == EXPIRED
    assert certificate_verify(certificate.document).status == EXPIRED


def test_only_another_regions_bureau_is_offered_recognition(certificate, scored_firm):
    url = reverse("verify:detail", args=[certificate.pk])
    province = scored_firm.region_code[:2]
    outsider = Client()
    outsider.force_login(BureauStaffFactory(region_scope="11" if province != "11" else "31").user)
    assert 'name="programme"' in outsider.get(url).content.decode()
    assert 'name="programme"' not in Client().get(url).content.decode()
    insider = Client()
    insider.force_login(BureauStaffFactory(region_scope=province).user)
    assert 'name="programme"' not in insider.get(url).content.decode()
    english = Client(headers={"accept-language": "en"}).get(url).content.decode()
    assert "Valid: the result this certificate states is still the published one." in english


def test_an_uploaded_certificate_is_verified_and_an_unknown_id_is_404(certificate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("c.json", json.dumps(certificate.document).encode(), content_type="application/json")
    page = Client().post(reverse("verify:page"), {"file": upload})
    assert 'data-status="valid"' in page.content.decode()
    assert Client().get(reverse("verify:detail", args=["00000000-0000-4000-8000-000000000000"])).status_code == 404
    empty = Client().post(reverse("verify:page"), {"document": ""}).content.decode()
    assert "请粘贴证书内容或上传证书文件。" in empty


def test_only_the_issuing_bureaus_administrator_revokes_with_a_reason_and_verify_then_says_revoked(
    certificate, scored_firm, firm_user
):
    url = reverse("verify:detail", args=[certificate.pk])
    revoke = reverse("verify:revoke", args=[certificate.pk])
    province = scored_firm.region_code[:2]
    other = "11" if province != "11" else "31"
    admin = BureauStaffFactory(region_scope="", role="admin")  # the batch is national: the national bureau runs it
    outsiders = [BureauStaffFactory(region_scope="", role="reviewer").user,
                 BureauStaffFactory(region_scope=other, role="admin").user, firm_user]  # fmt: skip
    for user in outsiders:
        client = Client()
        client.force_login(user)
        assert 'id="revoke"' not in client.get(url).content.decode()
        assert client.post(revoke, {"reason": "x"}).status_code in (302, 403, 404)
        certificate.refresh_from_db()
        assert certificate.revoked_at is None, user
    assert 'id="revoke"' not in Client().get(url).content.decode()

    client = Client()
    client.force_login(admin.user)
    assert 'id="revoke"' in client.get(url).content.decode()
    assert str(certificate.pk) in client.get(reverse("verify:issued")).content.decode()
    client.post(revoke, {"reason": "  "})  # a reason is required: nothing changes
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    response = client.post(revoke, {"reason": "填报数据经核查不实"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_reason == "填报数据经核查不实"
    entry = audit_entries_of(certificate).first()
    assert entry.actor == admin.user and "revoked_reason" in entry.changes_dict
    public = Client().get(url).content.decode()
    assert 'data-status="revoked"' in public and "填报数据经核查不实" not in public
    assert certificate_verify(certificate.document).status == REVOKED
