"""Request middleware of the platform's security layer: extra response headers and the audit trail's actor."""

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings


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
