"""Request middleware of the platform's security layer: extra response headers, query strings without NUL, and the
audit trail's actor."""

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class SecurityHeadersMiddleware:
    """Adds the headers Django has no setting for: ``Permissions-Policy`` (no camera, microphone, location...).

    Django's SecurityMiddleware sets X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy;
    django-csp sets Content-Security-Policy; XFrameOptionsMiddleware sets X-Frame-Options.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class NulQueryRefusalMiddleware:
    """A query string holding a NUL character (``?q=%00``) is a 400 on every page and endpoint.

    PostgreSQL cannot store or compare NUL: psycopg raises on the literal, a 500 wherever a view hands a raw parameter
    to a filter (the review queue's search, a future page). FilterSets refuse it per field too (Django's CharField);
    this is the one rule for every ``request.GET``. The API answers in its error format, naming the parameters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = [name for name, values in request.GET.lists() if "\x00" in name or any("\x00" in v for v in values)]
        if not names:
            return self.get_response(request)
        message = _("请求参数不能包含空字符(NUL)。")
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "message": _("提交的数据有误,请按字段说明修改。"),
                    "fields": {name.replace("\x00", ""): [message] for name in names}}  # fmt: skip
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class AuditActorMiddleware(AuditlogMiddleware):
    """Names the signed-in person as the actor of every audit entry written while serving the request.

    The address recorded is ``REMOTE_ADDR`` only, as for the profile access log and the login lockout: the reverse
    proxy sets it, whereas ``X-Forwarded-For`` (which auditlog would prefer) is whatever the client sent.
    """

    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR") or None

    @staticmethod
    def _get_remote_port(request):
        return None
