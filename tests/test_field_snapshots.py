"""The authorization matrices' third dimension: *which fields* each audience receives from every API list and detail
endpoint (tests/test_api_authorization_matrix.py decides *whether* it gets an answer, tests/test_one_scoping.py
*which rows*). Run in ``tests.authorization_world``, plus a few facts of its own (``_facts``).

The snapshot — ``tests/snapshots/api_fields.json`` — maps ``endpoint → audience →`` the sorted dotted paths of
every key in the JSON response (lists: their items merged, so ``results.credit_code``; maps keyed by data — an
indicator's points, a system's grade bands, a run's counts — as ``.*``; the CSV: its header, the indicator columns
as ``{indicator}``), or the status when the audience is refused (``"401"``, ``"403"``, ``"404"``). A field that
appears for an audience, or a refusal that turns into an answer, fails the snapshot test with a readable diff:
exposing a new field to someone is a reviewed decision. After reviewing who receives what, rewrite the file with

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -q -p no:randomly tests/test_field_snapshots.py

and commit it with the change. Endpoints (every GET route of the API; ``NOT_READ`` names the write-only ones):
every list, and every detail route for a named object — firm Y's (``[firm-y]``: Zhejiang, consents to CMB only;
its filing, CMB's recommendation, loan and guarantee) or the Zhejiang bureau's batch, run and system — and for the
first row the audience's own list returns (``[first listed]``); the recommendation, score and profile routes also
for firm Z (``[firm-z]``: on ICBC's list, worked by ICBC's officer, then its consent withdrawn: a masked row).

Audiences (the world's callers): ``anonymous``; ``firm-x`` (member of a Guangdong firm), ``firm-y`` (member of
firm Y); ``bureau-32`` (Jiangsu) and ``bureau-33`` (Zhejiang, firm Y's region); ``bank-a-officer`` and
``bank-a-client`` (ICBC, an officer and a token: no consent from firm Y or firm Z), ``bank-b-officer`` (CMB: firm
Y's consent, scope ``financials``); ``guarantor-g1``, ``guarantor-g1-client`` (a token) and ``guarantor-g2``
(guarantor of firm Y's loan); ``platform-32-client`` (the Jiangsu platform's token).

Whatever the snapshot says, three invariants hold (a companion test of each proves its check would catch a
violation, by feeding it another audience's real responses):

(a) a bank never receives a score, grade, rank, filing figure or financing need of a firm without an active consent
    covering that bank: such a firm appears only in the bank's own contracts and as a masked recommendation —
    ``consent_withdrawn: true`` and null in every ``Recommendation.MASKED_FIELDS``;
(b) a firm never receives the banks' follow-up: no officer, notes, decline reason, status change, list rank or line
    — neither the keys nor the notes written in the world;
(c) a bureau (and the platform client of a region) receives only rows of its region: every firm it is shown, every
    ``region_code`` and every batch's or system's ``region_scope`` lies within (or, for scopes, overlaps) its own.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from banks.api.serializers import RecommendationProfileSerializer
from banks.financing import financing_application_transition, financing_apply, financing_need_post
from banks.models import Recommendation
from banks.services import recommendation_note, recommendation_transition
from core.models import Bank
from enterprises.models import Consent, Enterprise, EnterpriseMembership, Submission
from enterprises.services import VALUE_FIELDS, consent_grant, consent_revoke
from guarantees.models import GuaranteeContract
from guarantees.services import compensation_event_create
from loans.models import LoanContract
from loans.services import loan_repayment_update
from scoring.api.serializers import RankingEntrySerializer, ScoreSerializer
from scoring.models import BatchScoring, ScoringRun
from tests.authorization_world import world  # noqa: F401 - the matrices' module-scoped world
from tests.test_authorization_matrix import _route_names

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "snapshots" / "api_fields.json"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
REFUSED = (401, 403, 404)
NOTHING_LISTED = "nothing listed"
PAGE = 500  # the APIs' largest page: one or two requests per list

# Keys whose dict values are keyed by data (indicator codes, grades, stages, provinces): one ``*`` each.
MAP_KEYS = frozenset({"points", "grade_bands", "by_grade", "by_stage", "by_province"})

# --- Audiences -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    kind: str  # anonymous, firm, bureau, bank, guarantor, platform
    who: str  # key of the world: callers / counterparts role, or a token role
    foreign: bool = False  # the counterpart (the other organisation) of ``who``
    region: str = ""  # bureaus and the platform client: their region scope
    bank: str = ""  # banks: the bank's code


AUDIENCES: dict[str, Audience] = {
    "anonymous": Audience("anonymous", "anonymous"),
    "firm-x": Audience("firm", "firm"),
    "firm-y": Audience("firm", "firm", foreign=True),
    "bureau-32": Audience("bureau", "bureau", region="32"),
    "bureau-33": Audience("bureau", "bureau", foreign=True, region="33"),
    "bank-a-officer": Audience("bank", "officer", bank="icbc"),
    "bank-a-client": Audience("bank", "client-bank", bank="icbc"),
    "bank-b-officer": Audience("bank", "officer", foreign=True, bank="cmb"),
    "guarantor-g1": Audience("guarantor", "guarantor"),
    "guarantor-g1-client": Audience("guarantor", "client-guarantor"),
    "guarantor-g2": Audience("guarantor", "guarantor", foreign=True),
    "platform-32-client": Audience("platform", "client-platform", region="32"),
}


def _client(world, audience: Audience) -> APIClient:  # noqa: F811
    client = APIClient()
    if audience.who in world.tokens:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[audience.who]}")
    elif audience.who != "anonymous":
        client.force_login((world.counterparts if audience.foreign else world.callers)[audience.who])
    return client


# --- Endpoints -----------------------------------------------------------------------------------------------------

# name → (route, URL arguments key in ``_facts().kwargs`` or None, query string)
LISTS: dict[str, tuple[str, str | None, dict]] = {
    "system-list": ("api:system-list", None, {"page_size": PAGE}),
    "batch-list": ("api:batch-list", None, {"page_size": PAGE}),
    "run-list": ("api:run-list", None, {"page_size": PAGE}),
    "batch-scores": ("api:batch-scores", "national_batch", {"page_size": PAGE}),
    "batch-scores-csv": ("api:batch-scores-csv", "national_batch", {}),
    "batch-rankings": ("api:batch-rankings", "national_batch", {"page_size": PAGE}),
    "batch-rankings-province [33]": ("api:batch-rankings-province", "province_33", {"page_size": PAGE}),
    "batch-rankings-industry [firm-y]": ("api:batch-rankings-industry", "section_y", {"page_size": PAGE}),
    "batch-funnel": ("api:batch-funnel", "national_batch", {}),
    "run-scores": ("api:run-scores", "national_run", {"page_size": PAGE}),
    "statistics-funnel": ("api:statistics-funnel", None, {"batch": "national_batch"}),
    "enterprise-list": ("api:enterprise-list", None, {"page_size": PAGE}),
    "submission-list": ("api:submission-list", None, {"page_size": PAGE}),
    "recommendation-list": ("api:recommendation-list", None, {"page_size": PAGE}),
    "loan-list": ("api:loan-list", None, {"page_size": PAGE}),
    "guarantee-list": ("api:guarantee-list", None, {"page_size": PAGE}),
    "loan-warning-list": ("api:loan-warning-list", None, {"page_size": PAGE}),
    "bank-list": ("api:bank-list", None, {"page_size": PAGE}),
    "branch-list": ("api:branch-list", None, {"page_size": PAGE}),
    "product-list": ("api:product-list", None, {"page_size": PAGE}),
    "guarantor-list": ("api:guarantor-list", None, {"page_size": PAGE}),
    "financing-need-list": ("api:financing-need-list", None, {"page_size": PAGE}),
    "financing-application-list": ("api:financing-application-list", None, {"page_size": PAGE}),
    "incoming-application-list": ("api:incoming-application-list", None, {"page_size": PAGE}),
}

# name → (route, URL arguments key in ``_facts().kwargs``): one object named by the world
DETAILS: dict[str, tuple[str, str]] = {
    "system-detail [zhejiang]": ("api:system-detail", "system_zj"),
    "batch-detail [zhejiang]": ("api:batch-detail", "batch_zj"),
    "run-detail [zhejiang]": ("api:run-detail", "run_zj"),
    "batch-score-detail [firm-y]": ("api:batch-score-detail", "score_y"),
    "enterprise-scores [firm-y]": ("api:enterprise-scores", "firm_y"),
    "enterprise-detail [firm-y]": ("api:enterprise-detail", "firm_y"),
    "submission-detail [firm-y]": ("api:submission-detail", "submission_y"),
    "recommendation-detail [firm-y]": ("api:recommendation-detail", "recommendation_y"),
    "recommendation-profile [firm-y]": ("api:recommendation-profile", "recommendation_y"),
    "loan-detail [firm-y]": ("api:loan-detail", "loan_y"),
    "guarantee-detail [firm-y]": ("api:guarantee-detail", "guarantee_y"),
    "loan-warning-detail [firm-y]": ("api:loan-warning-detail", "warning_y"),
    "product-detail [cmb]": ("api:product-detail", "product_b"),
    "bank-detail [cmb]": ("api:bank-detail", "bank_b"),
    "branch-detail [cmb]": ("api:branch-detail", "branch_b"),
    "guarantor-detail [g2]": ("api:guarantor-detail", "guarantor_g2"),
    "batch-score-detail [firm-z]": ("api:batch-score-detail", "score_z"),
    "enterprise-scores [firm-z]": ("api:enterprise-scores", "firm_z"),
    "enterprise-detail [firm-z]": ("api:enterprise-detail", "firm_z"),
    "recommendation-detail [firm-z]": ("api:recommendation-detail", "recommendation_z"),
    "recommendation-profile [firm-z]": ("api:recommendation-profile", "recommendation_z"),
    "financing-need-detail [firm-x]": ("api:financing-need-detail", "need_x"),
    "financing-application-detail [firm-x]": ("api:financing-application-detail", "application_x"),
    "incoming-application-detail [firm-x]": ("api:incoming-application-detail", "application_x"),
}

# name → (route, the list read first, how its first row names the object)
FIRST_LISTED: dict[str, tuple[str, str, object]] = {
    "system-detail [first listed]": ("api:system-detail", "system-list", lambda row, f: {"pk": row["id"]}),
    "batch-detail [first listed]": ("api:batch-detail", "batch-list", lambda row, f: {"pk": row["id"]}),
    "run-detail [first listed]": ("api:run-detail", "run-list", lambda row, f: {"pk": row["id"]}),
    "batch-score-detail [first listed]": (
        "api:batch-score-detail", "batch-scores",
        lambda row, f: {"batch_id": f.national_batch, "credit_code": row["credit_code"]},
    ),
    "enterprise-scores [first listed]": (
        "api:enterprise-scores", "batch-scores", lambda row, f: {"credit_code": row["credit_code"]},
    ),
    "enterprise-detail [first listed]": (
        "api:enterprise-detail", "enterprise-list", lambda row, f: {"credit_code": row["credit_code"]},
    ),
    "submission-detail [first listed]": ("api:submission-detail", "submission-list", lambda row, f: {"pk": row["id"]}),
    "recommendation-detail [first listed]": (
        "api:recommendation-detail", "recommendation-list", lambda row, f: {"pk": row["id"]},
    ),
    "recommendation-profile [first listed]": (
        "api:recommendation-profile", "recommendation-list", lambda row, f: {"pk": row["id"]},
    ),
    "loan-detail [first listed]": ("api:loan-detail", "loan-list", lambda row, f: {"pk": row["id"]}),
    "guarantee-detail [first listed]": ("api:guarantee-detail", "guarantee-list", lambda row, f: {"pk": row["id"]}),
    "loan-warning-detail [first listed]": (
        "api:loan-warning-detail", "loan-warning-list", lambda row, f: {"pk": row["id"]},
    ),
    "financing-need-detail [first listed]": (
        "api:financing-need-detail", "financing-need-list", lambda row, f: {"pk": row["id"]},
    ),
    "financing-application-detail [first listed]": (
        "api:financing-application-detail", "financing-application-list", lambda row, f: {"pk": row["id"]},
    ),
    "incoming-application-detail [first listed]": (
        "api:incoming-application-detail", "incoming-application-list", lambda row, f: {"pk": row["id"]},
    ),
    "bank-detail [first listed]": ("api:bank-detail", "bank-list", lambda row, f: {"pk": row["id"]}),
    "branch-detail [first listed]": ("api:branch-detail", "branch-list", lambda row, f: {"pk": row["id"]}),
    "product-detail [first listed]": ("api:product-detail", "product-list", lambda row, f: {"pk": row["id"]}),
    "guarantor-detail [first listed]": ("api:guarantor-detail", "guarantor-list", lambda row, f: {"pk": row["id"]}),
}  # fmt: skip

# API routes that only write (their responses are the detail serializers above) or answer every path with a 404.
NOT_READ = {
    "api:recommendation-claim", "api:recommendation-notes", "api:recommendation-transition", "api:recommendation-loan",
    "api:loan-guarantee", "api:guarantee-compensations", "api:submission-approve", "api:submission-return",
    "api:submission-submit", "api:not-found", "api:loan-warning-acknowledge", "api:recommendation-reopen",
    "api:recommendation-reassign", "api:financing-need-withdraw", "api:incoming-application-transition",
}  # fmt: skip

# --- Facts the invariants check against ----------------------------------------------------------------------------

NOTE_X = "OFFICER-NOTE-X 工行内部跟进备注"  # ICBC's officer on firm X's own row
NOTE_Y = "OFFICER-NOTE-Y 招行内部跟进备注"  # CMB's officer on firm Y's row
NOTE_Z = "OFFICER-NOTE-Z 工行内部跟进备注"  # ICBC's officer on firm Z's row (then masked)
DECLINE_Z = "DECLINE-REASON-Z 工行拒绝原因"
DECLINE_X = "DECLINE-REASON-X 工行拒绝融资申请的内部说明"  # ICBC's internal note on firm X's application
NOTE_G2 = "COMPENSATION-NOTE-G2 担保乙代偿备注"  # guarantor G2's, on firm Y's guarantee


@dataclass
class Facts:
    kwargs: dict[str, dict]
    national_batch: int
    indicator_codes: list[str]
    region_of: dict[str, str]  # credit code → region code, every firm
    consenting: dict[str, set[str]]  # bank code → credit codes with an active consent covering it
    firm_y: str
    firm_z: str
    masked_z: dict  # firm Z's recommendation at ICBC as stored (its figures are not null)
    markers: dict[str, str] = field(default_factory=dict)  # text no firm may read → an audience that reads it


def _facts(world) -> Facts:  # noqa: F811
    """What the world lacks for this test: written notes, a consent of scope ``financials`` (the profile's figures),
    a compensation on firm Y's guarantee (its fields), and firm Z — worked by ICBC's officer, noted and declined,
    then its consent withdrawn (a masked row)."""
    icbc, cmb = Bank.objects.get(code="icbc"), Bank.objects.get(code="cmb")
    officer_a, officer_b = world.callers["officer"], world.counterparts["officer"]
    firm_y = world.firm_y
    consent_grant(enterprise=firm_y, bank=cmb, user=None, scope="financials")

    firm_x = EnterpriseMembership.objects.get(user=world.callers["firm"]).enterprise
    rec_x = Recommendation.objects.get(bank=icbc, enterprise=firm_x, superseded=False)
    recommendation_note(recommendation=rec_x, user=officer_a, notes=NOTE_X)
    rec_y = Recommendation.objects.get(pk=world.objects["recommendation"][0])
    recommendation_note(recommendation=rec_y, user=officer_b, notes=NOTE_Y)

    rec_z = next(
        rec for rec in Recommendation.objects.filter(
            bank=icbc, status="new", officer=None, superseded=False, region_code__startswith="44",
            enterprise__consents__bank=None, enterprise__consents__revoked_at=None,
        ).exclude(enterprise=rec_x.enterprise).order_by("list_rank")
        if rec.product_ids and rec.suggested_line
    )  # fmt: skip
    recommendation_transition(recommendation=rec_z, user=officer_a, status="contacted", notes=NOTE_Z)
    recommendation_transition(
        recommendation=rec_z, user=officer_a, status="declined", category="risk", reason=DECLINE_Z
    )
    firm_z = rec_z.enterprise
    for consent in Consent.objects.filter(enterprise=firm_z, revoked_at=None):
        consent_revoke(consent=consent, user=None)
    masked_z = Recommendation.objects.filter(pk=rec_z.pk).values(*Recommendation.MASKED_FIELDS).get()

    # Firm X (on ICBC's list, consenting to it) posts a need and applies to ICBC, which declines it with a note.
    need_x = financing_need_post(enterprise=firm_x, user=None, amount=Decimal(300), term_months=12, purpose="设备",
                                 valid_until=date.today() + timedelta(days=30))  # fmt: skip
    application_x = financing_apply(need=need_x, bank=icbc, user=None)
    financing_application_transition(application=application_x, user=officer_a, status="declined",
                                     category="documents", reason=DECLINE_X)  # fmt: skip

    guarantor_b = world.counterparts["guarantor"]
    loan_y = LoanContract.objects.get(pk=world.objects["loan"][0])
    loan_repayment_update(loan=loan_y, user=officer_b, status="overdue")
    guarantee_y = GuaranteeContract.objects.get(pk=world.objects["guarantee"][0])
    compensation_event_create(guarantee=guarantee_y, user=guarantor_b, amount=Decimal(10), occurred_on=date.today(),
                              notes=NOTE_G2)  # fmt: skip

    national = world.batch.pk
    run_id = BatchScoring.objects.get(pk=national).published_run_id
    submission_y = Submission.objects.get(pk=world.objects["submission"][0])
    consenting = {
        bank.code: {c.enterprise.credit_code for c in Consent.objects.covering(bank.pk).select_related("enterprise")
                    if c.is_active()}
        for bank in (icbc, cmb)
    }  # fmt: skip
    assert firm_y.credit_code not in consenting["icbc"] and firm_y.credit_code in consenting["cmb"]
    assert firm_z.credit_code not in consenting["icbc"]
    return Facts(
        kwargs={
            "national_batch": {"batch_id": national},
            "national_run": {"run_id": run_id},
            "province_33": {"batch_id": national, "province": "33"},
            "section_y": {"batch_id": national, "section": firm_y.section_id},
            "system_zj": {"pk": world.objects["system"][0]},
            "batch_zj": {"pk": world.objects["batch"][0]},
            "run_zj": {"pk": world.objects["run"][0]},
            "score_y": {"batch_id": national, "credit_code": firm_y.credit_code},
            "firm_y": {"credit_code": firm_y.credit_code},
            "submission_y": {"pk": submission_y.pk},
            "recommendation_y": {"pk": rec_y.pk},
            "loan_y": {"pk": world.objects["loan"][0]},
            "guarantee_y": {"pk": world.objects["guarantee"][0]},
            "warning_y": {"pk": world.objects["warning"][0]},
            "product_b": {"pk": world.objects["product"][0]},
            "bank_b": {"pk": Bank.objects.get(code="cmb").pk},
            "branch_b": {"pk": Bank.objects.get(code="cmb").branches.order_by("pk").first().pk},
            "guarantor_g2": {"pk": GuaranteeContract.objects.get(pk=world.objects["guarantee"][0]).guarantor_id},
            "score_z": {"batch_id": national, "credit_code": firm_z.credit_code},
            "firm_z": {"credit_code": firm_z.credit_code},
            "need_x": {"pk": need_x.pk},
            "application_x": {"pk": application_x.pk},
            "recommendation_z": {"pk": rec_z.pk},
        },
        national_batch=national,
        indicator_codes=list(ScoringRun.objects.get(pk=run_id).indicator_codes),
        region_of=dict(Enterprise.objects.values_list("credit_code", "region_code")),
        consenting=consenting,
        firm_y=firm_y.credit_code,
        firm_z=firm_z.credit_code,
        masked_z=masked_z,
        markers={
            NOTE_X: "bank-a-officer",
            NOTE_Y: "bank-b-officer",
            NOTE_Z: "bank-a-officer",
            DECLINE_Z: "bank-a-officer",
            DECLINE_X: "bank-a-officer",
            NOTE_G2: "guarantor-g2",
            officer_a.username: "bank-a-officer",
            officer_b.username: "bank-b-officer",
        },
    )


# --- Reading every endpoint as every audience ----------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    documents: list = field(default_factory=list)  # parsed JSON bodies (every page), or the CSV's rows as dicts
    raw: bytes = b""
    header: list[str] | None = None  # the CSV's

    @property
    def rows(self) -> list:
        """The rows of a list (every page), or the one object of a detail."""
        rows = []
        for document in self.documents:
            if isinstance(document, dict) and "results" in document:
                rows += document["results"]
            elif isinstance(document, list):
                rows += document
            else:
                rows.append(document)
        return rows


def _get(client: APIClient, url: str, query: dict | None = None) -> Reply:
    response = client.get(url, query or {})
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code in REFUSED:
        return Reply(response.status_code, raw=raw)
    assert response.status_code == 200, (url, response.status_code, raw[:300])
    if response["Content-Type"].startswith("text/csv"):
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        header = lines[0]
        return Reply(200, [[dict(zip(header, line, strict=True)) for line in lines[1:]]], raw, header)
    body = json.loads(raw)
    reply = Reply(200, [body], raw)
    while isinstance(body, dict) and body.get("next"):
        more = client.get(body["next"])
        assert more.status_code == 200, (body["next"], more.status_code)
        body = more.json()
        reply.documents.append(body)
        reply.raw += more.content
    return reply


def _read_all(world, facts: Facts) -> dict[str, dict[str, Reply | str]]:  # noqa: F811
    """endpoint → audience → the reply (or ``NOTHING_LISTED`` for a first-listed detail of an empty list)."""
    replies: dict[str, dict] = {name: {} for name in (*LISTS, *DETAILS, *FIRST_LISTED)}
    for label, audience in AUDIENCES.items():
        client = _client(world, audience)
        for name, (route, key, query) in LISTS.items():
            query = {k: facts.national_batch if v == "national_batch" else v for k, v in query.items()}
            replies[name][label] = _get(client, reverse(route, kwargs=facts.kwargs[key] if key else None), query)
        for name, (route, key) in DETAILS.items():
            replies[name][label] = _get(client, reverse(route, kwargs=facts.kwargs[key]))
        for name, (route, listed, kwargs_of) in FIRST_LISTED.items():
            rows = replies[listed][label].rows
            replies[name][label] = (
                _get(client, reverse(route, kwargs=kwargs_of(rows[0], facts))) if rows else NOTHING_LISTED
            )
    return replies


@pytest.fixture(scope="module")
def observed(world, django_db_blocker):  # noqa: F811
    """(facts, replies): built once for the module inside the world's transaction (rolled back with it)."""
    with django_db_blocker.unblock():
        cache.clear()  # throttle counters: the world's users reuse ids across modules
        facts = _facts(world)
        replies = _read_all(world, facts)
        cache.clear()
    return facts, replies


# --- Field paths and the snapshot ----------------------------------------------------------------------------------


def _paths(value, prefix: str, out: set[str], keyed_by_data: bool = False) -> None:
    if isinstance(value, list):
        for item in value:
            _paths(item, prefix, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = "*" if keyed_by_data else key
            path = f"{prefix}.{name}" if prefix else name
            out.add(path)
            _paths(item, path, out, keyed_by_data=key in MAP_KEYS and isinstance(item, dict))


def fields_of(reply: Reply | str, facts: Facts) -> list[str] | str:
    """The snapshot's cell: sorted field paths, a refusal's status, or ``NOTHING_LISTED``."""
    if isinstance(reply, str):
        return reply
    if reply.status != 200:
        return str(reply.status)
    if reply.header is not None:
        indicators = set(facts.indicator_codes)
        return sorted({"{indicator}" if column in indicators else column for column in reply.header})
    out: set[str] = set()
    for document in reply.documents:
        _paths(document, "", out)
    return sorted(out)


def snapshot_of(replies, facts: Facts) -> dict:
    return {name: {label: fields_of(reply, facts) for label, reply in by_audience.items()}
            for name, by_audience in sorted(replies.items())}  # fmt: skip


def snapshot_diff(expected: dict, actual: dict) -> list[str]:
    """One readable line per cell that changed: fields added (+) and gone (-), or a status that changed."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            lines.append(f"{name}: endpoint no longer read (remove it from the snapshot)")
            continue
        if name not in expected:
            lines.append(f"{name}: new endpoint, not in the snapshot")
            continue
        for label in sorted(set(expected[name]) | set(actual[name])):
            was, now = expected[name].get(label, "(absent)"), actual[name].get(label, "(absent)")
            if was == now:
                continue
            where = f"{name} × {label}"
            if isinstance(was, list) and isinstance(now, list):
                added, gone = sorted(set(now) - set(was)), sorted(set(was) - set(now))
                lines.append(f"{where}: " + "; ".join(
                    part for part in (f"+ {', '.join(added)}" if added else "", f"- {', '.join(gone)}" if gone else "")
                    if part
                ))  # fmt: skip
            else:
                lines.append(f"{where}: was {_short(was)}, now {_short(now)}")
    return lines


def _short(cell) -> str:
    return f"{len(cell)} fields {cell}" if isinstance(cell, list) else repr(cell)


def _write_snapshot(snapshot: dict) -> None:
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- The tests -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db(False)
def test_every_api_read_is_snapshotted():
    """Every API route is read here or named as write-only: a new read endpoint must join the snapshot."""
    routes = {name for name in _route_names() if name.startswith("api:")}
    read = {route for route, *_ in LISTS.values()} | {route for route, _ in DETAILS.values()}
    read |= {route for route, *_ in FIRST_LISTED.values()}
    assert routes - read - NOT_READ == set(), "add these API routes to the field snapshot (or to NOT_READ)"
    assert (read | NOT_READ) - routes == set(), "the field snapshot names API routes that no longer exist"
    # Every detail route is read twice: for a named object and for the audience's own first listed one.
    assert {route for route, _ in DETAILS.values()} == {route for route, *_ in FIRST_LISTED.values()}


def test_the_fields_each_audience_receives_match_the_snapshot(observed):
    facts, replies = observed
    actual = snapshot_of(replies, facts)
    if UPDATE:
        _write_snapshot(actual)
        return
    assert SNAPSHOT.exists(), f"no snapshot yet: run with UPDATE_SNAPSHOTS=1 to write {SNAPSHOT}"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changes = snapshot_diff(expected, actual)
    assert not changes, (
        f"The fields the API returns differ from tests/snapshots/{SNAPSHOT.name}.\n"
        "Exposing a field to an audience is a reviewed decision: check each line, then rerun with UPDATE_SNAPSHOTS=1 "
        "and commit the snapshot.\n  " + "\n  ".join(changes)
    )


def test_the_snapshot_is_not_vacuous(observed):
    """Each audience is answered somewhere and refused somewhere (but anonymous, refused everywhere), and every
    endpoint answers someone with fields: the cells compare real responses, not a table of 404s."""
    facts, replies = observed
    snapshot = snapshot_of(replies, facts)
    for label in AUDIENCES:
        cells = [by_audience[label] for by_audience in snapshot.values()]
        answered = [cell for cell in cells if isinstance(cell, list)]
        if label == "anonymous":
            assert set(cells) == {"401", NOTHING_LISTED}, cells
        else:
            assert answered and len(answered) < len(cells), label
    for name, by_audience in snapshot.items():
        answered = any(isinstance(cell, list) and len(cell) > 3 for cell in by_audience.values())
        assert answered != (name in REFUSED_TO_ALL), name


REFUSED_TO_ALL = {  # firm Z (Guangdong) withdrew every consent, and no audience is its bureau or its member
    "batch-score-detail [firm-z]", "enterprise-scores [firm-z]", "enterprise-detail [firm-z]",
    "recommendation-profile [firm-z]",
}  # fmt: skip


# (a) Banks and consent ------------------------------------------------------------------------------------------

IDENTITY = frozenset({"credit_code", "name", "batch", "run", "recommendation", "consent_scope", "region_code",
                      "section", "industry_code", "established"})  # fmt: skip
FIGURES = (
    frozenset(ScoreSerializer().fields) | frozenset(RankingEntrySerializer().fields)
    | frozenset(RecommendationProfileSerializer().fields) | frozenset(VALUE_FIELDS)
    | {"financing_purpose", "preferred_banks"} | frozenset(Recommendation.MASKED_FIELDS)
) - IDENTITY  # fmt: skip
"""A firm's figures: its score, grade, ranks and points, its filing, its financing need and the bank's line for it."""


def _records(value, path: str = ""):
    """(path, dict) for every JSON object in ``value``, nested ones too."""
    if isinstance(value, list):
        for item in value:
            yield from _records(item, path)
    elif isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _records(item, f"{path}.{key}" if path else key)


def _all_records(reply: Reply):
    for document in reply.documents:
        yield from _records(document)


def bank_violations(replies, label: str, consenting: set[str]) -> list[str]:
    """Where ``label`` receives a firm outside ``consenting``: anything but its own contract (without the firm's
    figures) or a masked recommendation (consent_withdrawn, figures null)."""
    found = []
    for name, by_audience in replies.items():
        reply = by_audience[label]
        if isinstance(reply, str) or reply.status != 200:
            continue
        for path, record in _all_records(reply):
            code = record.get("credit_code")
            if code is None or code in consenting:
                continue
            where = f"{name} × {label} at {path or '(top)'}: firm {code} without consent"
            if "consent_withdrawn" in record:
                if record["consent_withdrawn"] is not True:
                    found.append(f"{where}: consent_withdrawn is {record['consent_withdrawn']!r}")
                shown = sorted(key for key in Recommendation.MASKED_FIELDS if record.get(key) is not None)
                if shown:
                    found.append(f"{where}: masked row shows {shown}")
            elif "contract_no" in record:
                shown = sorted(key for key in FIGURES & set(record) if record[key] is not None)
                if shown:
                    found.append(f"{where}: contract shows the firm's {shown}")
            else:
                found.append(f"{where}: row with {sorted(FIGURES & set(record)) or sorted(record)}")
    return found


def test_a_bank_never_receives_the_figures_of_a_firm_without_its_consent(observed):
    facts, replies = observed
    for label, audience in AUDIENCES.items():
        if audience.kind == "bank":
            assert bank_violations(replies, label, facts.consenting[audience.bank]) == [], label


def test_a_masked_row_carries_only_nulls_and_consent_withdrawn(observed):
    """Firm Z (worked by ICBC, then consent withdrawn): ICBC's officer and client read its row with every figure null,
    though the stored row has them; it is in no list, and its score, profile and firm are 404."""
    facts, replies = observed
    stored = {key: value for key, value in facts.masked_z.items() if value not in (None, [], "")}
    assert {"list_rank", "total", "grade", "stage", "region_code"} <= set(stored), stored  # real figures to hide
    for label in ("bank-a-officer", "bank-a-client"):
        reply = replies["recommendation-detail [firm-z]"][label]
        assert reply.status == 200, label
        row = reply.rows[0]
        assert row["credit_code"] == facts.firm_z and row["consent_withdrawn"] is True, (label, row)
        assert {key: row[key] for key in Recommendation.MASKED_FIELDS} == dict.fromkeys(Recommendation.MASKED_FIELDS)
        assert row["status"] == "declined" and row["notes"] == NOTE_Z and row["decline_reason"] == DECLINE_Z
        figures = (float(stored["total"]), str(stored["suggested_line"]), stored["grade"])
        assert not [key for key, value in row.items() if value in figures], (label, row)  # not under another name
        for name in ("batch-score-detail [firm-z]", "enterprise-scores [firm-z]", "enterprise-detail [firm-z]",
                     "recommendation-profile [firm-z]"):  # fmt: skip
            assert replies[name][label].status == 404, (name, label)
        for name, by_audience in replies.items():
            if "[firm-z]" not in name and not isinstance(by_audience[label], str):
                assert facts.firm_z.encode() not in by_audience[label].raw, (name, label)
    # Firm Y has never consented to ICBC: ICBC reads nothing of it; CMB, which has its consent, reads its figures.
    for name in ("batch-score-detail [firm-y]", "enterprise-scores [firm-y]", "enterprise-detail [firm-y]",
                 "recommendation-detail [firm-y]", "recommendation-profile [firm-y]"):  # fmt: skip
        assert replies[name]["bank-a-officer"].status == 404 and replies[name]["bank-a-client"].status == 404, name
        assert replies[name]["bank-b-officer"].status == 200, name
    assert replies["recommendation-profile [firm-y]"]["bank-b-officer"].rows[0]["financials"] is not None


def test_the_bank_check_catches_figures_shown_without_consent(observed):
    """CMB's real responses — firm Y's score, profile and figures, which CMB may read — judged against ICBC's
    consents (firm Y gave none to ICBC) are violations: the check above is not vacuous."""
    facts, replies = observed
    found = bank_violations(replies, "bank-b-officer", facts.consenting["icbc"])
    assert any(facts.firm_y in line and "batch-score-detail" in line for line in found), found
    assert any(facts.firm_y in line and "recommendation-profile" in line for line in found), found
    unmasked = {name: {**by_audience, "bank-a-officer": _unmasked(by_audience["bank-a-officer"], facts)}
                for name, by_audience in replies.items()}  # fmt: skip
    assert any("masked row shows" in line for line in bank_violations(unmasked, "bank-a-officer",
                                                                      facts.consenting["icbc"]))  # fmt: skip


def _unmasked(reply, facts: Facts):
    """``reply`` with firm Z's masked row carrying its stored figures, as if the serializer forgot to mask it."""
    if isinstance(reply, str) or reply.status != 200:
        return reply
    documents = json.loads(json.dumps(reply.documents))
    for _path, record in (item for document in documents for item in _records(document)):
        if record.get("credit_code") == facts.firm_z and "consent_withdrawn" in record:
            record.update(facts.masked_z)
            record["total"] = float(record["total"])
    return Reply(reply.status, documents, reply.raw, reply.header)


# (b) Firms and the banks' follow-up ------------------------------------------------------------------------------

BANK_WORK = frozenset({"officer", "notes", "decline_category", "decline_reason", "status_changed_at",
                       "consent_withdrawn", "list_rank", "suggested_line", "product_ids", "over_line_reason",
                       "superseded"})  # fmt: skip
"""A bank's follow-up of a firm (the recommendation's workflow fields, the loan's justification)."""


def firm_violations(replies, label: str, markers) -> list[str]:
    found = []
    for name, by_audience in replies.items():
        reply = by_audience[label]
        if isinstance(reply, str) or reply.status != 200:
            continue
        for path, record in _all_records(reply):
            keys = sorted(BANK_WORK & set(record))
            if keys:
                found.append(f"{name} × {label} at {path or '(top)'}: {keys}")
        found += [f"{name} × {label}: contains {text!r}" for text in markers if text.encode() in reply.raw]
    return found


def test_a_firm_never_receives_the_banks_follow_up(observed):
    facts, replies = observed
    for label, audience in AUDIENCES.items():
        if audience.kind == "firm":
            assert firm_violations(replies, label, facts.markers) == [], label
    # The notes exist and their banks read them: the check looks for something that is there.
    for text, label in facts.markers.items():
        assert any(not isinstance(by[label], str) and text.encode() in by[label].raw for by in replies.values()), text


def test_the_firm_check_catches_the_follow_up(observed):
    """ICBC's real responses judged as a firm's are violations (the notes, the officer, the follow-up keys)."""
    facts, replies = observed
    found = firm_violations(replies, "bank-a-officer", facts.markers)
    assert any(NOTE_X in line for line in found) and any("'notes'" in line for line in found), found


# (c) Bureaus and their region ------------------------------------------------------------------------------------


def _within(code: str, region: str) -> bool:
    return code.startswith(region)


def _overlaps(scope: str, region: str) -> bool:
    return scope.startswith(region) or region.startswith(scope)


def region_violations(replies, label: str, region: str, region_of: dict[str, str]) -> list[str]:
    """Rows outside ``region``: a firm (by its code, and the region the row states), a province row of a funnel, a
    batch or system whose scope does not overlap. (A published run's ``counts`` aggregate the whole batch, announced
    to every reader: counts, not rows, and not checked here.)"""
    found = []
    for name, by_audience in replies.items():
        reply = by_audience[label]
        if isinstance(reply, str) or reply.status != 200:
            continue
        for path, record in _all_records(reply):
            where = f"{name} × {label} at {path or '(top)'}"
            code = record.get("credit_code")
            if code is not None and not _within(region_of.get(code, "?"), region):
                found.append(f"{where}: firm {code} of region {region_of.get(code)}")
            if record.get("region_code") and not _within(record["region_code"], region):
                found.append(f"{where}: region_code {record['region_code']}")
            if "region_scope" in record and not _overlaps(record["region_scope"], region):
                found.append(f"{where}: region_scope {record['region_scope']!r}")
            if path.endswith("by_province") and record.get("key") and not _within(record["key"], region):
                found.append(f"{where}: province {record['key']}")
    return found


FIRM_ROW_LISTS = ("batch-scores", "batch-scores-csv", "batch-rankings", "enterprise-list", "submission-list")


def test_a_bureau_receives_only_rows_of_its_region(observed):
    facts, replies = observed
    for label, audience in AUDIENCES.items():
        if audience.kind not in ("bureau", "platform"):
            continue
        assert region_violations(replies, label, audience.region, facts.region_of) == [], label
        for name in FIRM_ROW_LISTS:  # each of them lists firms: the check has rows to look at
            assert replies[name][label].rows, (name, label)
    assert replies["submission-detail [firm-y]"]["bureau-33"].status == 200
    assert replies["submission-detail [firm-y]"]["bureau-32"].status == 404


def test_the_region_check_catches_a_foreign_row(observed):
    """Zhejiang's real responses judged as Jiangsu's are violations: firm Y, Zhejiang's scores, batch and system."""
    facts, replies = observed
    found = region_violations(replies, "bureau-33", "32", facts.region_of)
    assert any(facts.firm_y in line for line in found), found
    assert any("region_scope '33'" in line for line in found), found
