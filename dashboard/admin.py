from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .certificates import certificate_revoke
from .models import CertificateRecognition, IssuedCertificate


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(admin.ModelAdmin):
    """The platform operator revokes a certificate here (e.g. a filing found false); /verify/ then says revoked."""

    list_display = ("id", "enterprise", "run", "key_id", "issued_at", "expires_on", "revoked_at")
    list_filter = ("key_id",)
    search_fields = ("id", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "run", "issued_to")
    readonly_fields = ("id", "enterprise", "run", "document", "key_id", "issued_at", "expires_on", "issued_to",
                       "revoked_at")  # fmt: skip
    actions = ["revoke"]

    @admin.action(description=_("撤销所选证书"))
    def revoke(self, request, queryset):
        for certificate in queryset.filter(revoked_at__isnull=True):
            certificate_revoke(certificate=certificate, reason=_("平台撤销"), user=request.user)


@admin.register(CertificateRecognition)
class CertificateRecognitionAdmin(admin.ModelAdmin):
    list_display = ("certificate", "region_scope", "programme", "recognised_by", "recognised_at")
    search_fields = ("certificate__enterprise__name", "programme")
    raw_id_fields = ("certificate", "recognised_by")
