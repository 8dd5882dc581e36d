"""Enterprise profiles (read-only) and filings over the API. Thin: who sees what is ``scoping``; what a filing may
contain and when it may change is ``enterprises.services``, exactly as for the filing and review pages."""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.actors import actor_of
from core.api.pagination import IdCursorPagination, StrictCursorPagination
from core.models import ApiClient
from core.permissions import bureau_staff_of
from enterprises.filters import EnterpriseFilterSet, SubmissionFilterSet
from enterprises.models import Enterprise, Submission
from enterprises.selectors import open_batch_for
from enterprises.services import (
    VALUE_FIELDS,
    submission_approve,
    submission_get_or_create,
    submission_return,
    submission_save_draft,
    submission_submit,
)

from ..access import bank_read_log
from ..choices import BankRead
from .scoping import enterprises_for, own_submissions, submissions_for
from .serializers import (
    EnterpriseSerializer,
    ReviewSerializer,
    SubmissionCreateSerializer,
    SubmissionSavedSerializer,
    SubmissionSerializer,
    SubmissionValuesSerializer,
)


class EnterpriseCursorPagination(StrictCursorPagination):
    ordering = "id"


@extend_schema_view(
    list=extend_schema(summary="企业列表(按角色限定范围) / Enterprises within the caller's scope"),
    retrieve=extend_schema(
        summary="按统一社会信用代码查询企业 / An enterprise by credit code",
        parameters=[OpenApiParameter("credit_code", str, OpenApiParameter.PATH, pattern=r"[0-9A-HJ-NPQRTUWXY]{18}")],
    ),
)
class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    required_scope = "scores:read"
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    pagination_class = EnterpriseCursorPagination
    lookup_field = "credit_code"
    lookup_value_regex = r"[^/]+"  # any other form is a JSON 404 from the queryset, not an HTML one from the URLconf

    def get_queryset(self):
        return enterprises_for(actor_of(self.request))

    def retrieve(self, request, *args, **kwargs):
        firm = self.get_object()
        bank_read_log(request, enterprise_ids=[firm.pk], read=BankRead.ENTERPRISE)
        return Response(self.get_serializer(firm).data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            bank_read_log(self.request, enterprise_ids=[firm.pk for firm in page], read=BankRead.ENTERPRISE)
        return page


FILING_WRITES = (
    "Enterprise members only, with their session (no token can write a filing: a token gets 403). The filing "
    "page's services and rules: blanks allowed in a draft, every required field on submission, amounts in 万元 "
    "(only net profit and net assets may be negative), R&D staff ≤ employees, high-tech revenue ≤ revenue, at most "
    "3 preferred banks; a submitted or approved filing cannot change; only the batch open for filing now. "
    "`warnings` are saved anyway and ask for a second look (e.g. growth above 1000 %)."
)
REVIEW = (
    "Bureau staff of the firm's region only, with their session; the review page's service. Only a submitted "
    "filing can be reviewed."
)
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _filing_write(summary: str, request=SubmissionValuesSerializer, responses=SubmissionSavedSerializer, **more):
    return extend_schema(summary=summary, description=FILING_WRITES, request=request, responses=responses, **more)


def _review(summary: str):
    return extend_schema(summary=summary, description=REVIEW, request=ReviewSerializer,
                         responses=SubmissionSerializer, parameters=[ID])  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary="企业填报列表 / Filings",
        description="An enterprise member: its own firm's filings, drafts included. Bureau staff and platform "
        "clients (scope `submissions:read`): the submitted filings of firms in their region. Newest first.",
    ),
    retrieve=extend_schema(summary="一份填报 / A filing", parameters=[ID]),
    create=_filing_write(
        "新建填报草稿 / Start the filing of the open batch as a draft",
        request=SubmissionCreateSerializer,
        responses={201: SubmissionSavedSerializer},
    ),
    partial_update=_filing_write(
        "保存草稿(或修改退回的填报) / Save a draft, or correct a returned filing", parameters=[ID]
    ),  # fmt: skip
    submit=_filing_write("提交审核 / Submit for review (with any values edited)", parameters=[ID]),
    approve=_review("审核通过 / Approve"),
    return_=_review("退回修改 / Return to the firm for correction (a comment is required)"),
)
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Filings: read by the firm, the bureau of its region and platform clients; written by the firm's members
    (draft, correct, submit) and reviewed by the bureau — each through the page's service."""

    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilterSet
    pagination_class = IdCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[^/]+"

    @property
    def required_scope(self) -> str | None:
        """``submissions:read`` for a token's reads; no scope lets a token write (only people file and review)."""
        return ApiClient.Scope.READ_SUBMISSIONS if self.request.method in permissions.SAFE_METHODS else None

    @property
    def actor(self):
        return actor_of(self.request)

    def get_queryset(self):
        return (
            submissions_for(self.actor).select_related("enterprise").prefetch_related("preferred_banks").order_by("-id")
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _object_in(self, queryset) -> Submission:
        """The filing of the path in ``queryset``, or a 404 (a malformed id too)."""
        pk = self.kwargs["pk"]
        submission = queryset.filter(pk=pk).first() if pk.isdigit() and len(pk) < 19 else None
        if submission is None:
            raise Http404
        return submission

    def get_object(self):
        return self._object_in(self.get_queryset())

    def _saved(self, submission: Submission, warnings: dict, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(SubmissionSavedSerializer(fresh, context={"warnings": warnings}).data, status=status_code)

    def _editable(self) -> Submission:
        """The caller's own filing of the path (the services refuse it unless its batch is open for filing)."""
        return self._object_in(own_submissions(self.actor).select_related("enterprise"))

    def create(self, request, *args, **kwargs):
        if self.actor.enterprise_id is None:
            raise Http404  # only a firm files: nobody else has a filing to start
        values = SubmissionCreateSerializer(data=request.data)
        values.is_valid(raise_exception=True)
        data = dict(values.validated_data)
        requested = data.pop("batch", None)
        enterprise = Enterprise.objects.get(pk=self.actor.enterprise_id)
        batch = open_batch_for(enterprise=enterprise, batch_id=requested)  # the newest open one if none is named
        if batch is None:
            raise ValidationError({"batch": [_("只能填报当前开放填报的批次。")]})
        if own_submissions(self.actor).filter(batch=batch).exists():
            raise ValidationError({"batch": [_("该批次已有填报,请修改这份填报。")]})
        with transaction.atomic():  # a refused draft leaves no empty filing behind
            submission = submission_get_or_create(enterprise=enterprise, batch=batch)
            check = submission_save_draft(submission=submission, user=request.user, data=data)
        return self._saved(submission, check.warnings, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        submission = self._editable()
        values = SubmissionValuesSerializer(data=request.data)
        values.is_valid(raise_exception=True)
        check = submission_save_draft(submission=submission, user=request.user, data=dict(values.validated_data))
        return self._saved(submission, check.warnings)

    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        submission = self._editable()
        values = SubmissionValuesSerializer(data=request.data)
        values.is_valid(raise_exception=True)
        # What the page posts on "submit": every stored value, overlaid with the ones edited (``null`` = left blank,
        # which a submission refuses for a required field).
        data = {name: getattr(submission, name) for name in VALUE_FIELDS}
        data.update(values.validated_data)
        check = submission_submit(submission=submission, user=request.user, data=data)
        return self._saved(submission, check.warnings)

    def _reviewable(self) -> Submission:
        """The filing of the path if the caller is bureau staff who can read it (the service checks the rest)."""
        if bureau_staff_of(self.request.user) is None:
            raise Http404
        return self._object_in(submissions_for(self.actor))

    def _review_comment(self) -> str:
        review = ReviewSerializer(data=self.request.data)
        review.is_valid(raise_exception=True)
        return review.validated_data.get("comment", "")

    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        submission = submission_approve(submission=self._reviewable(), user=request.user,
                                        comment=self._review_comment())  # fmt: skip
        return Response(SubmissionSerializer(self.get_queryset().get(pk=submission.pk)).data)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, *args, **kwargs):
        submission = submission_return(submission=self._reviewable(), user=request.user,
                                       comment=self._review_comment())  # fmt: skip
        return Response(SubmissionSerializer(self.get_queryset().get(pk=submission.pk)).data)
