from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from core import views as core_views
from dashboard import home as dashboard_home

admin.site.site_header = "创新积分平台 · 管理后台"
admin.site.site_title = "创新积分平台"
admin.site.index_title = "平台管理"

# The API documentation pages relax the Content-Security-Policy for themselves only: Swagger UI and Redoc style their
# markup inline and show data: images; Redoc's search runs in a blob: worker. Scripts stay 'self' (the split Swagger
# view serves its start-up script as a file; Redoc's template here has no inline script and no Google Fonts).
API_DOCS_CSP = {"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}
api_docs = csp_update(API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
api_redoc = csp_update({**API_DOCS_CSP, "worker-src": ["'self'", "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
)

urlpatterns = [
    path("", dashboard_home.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("regions.json", core_views.region_tree, name="region-tree"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("bureau/review/", include("enterprises.review_urls")),
    path("bureau/api-clients/", include("core.urls")),
    path("bureau/policies/", include("policies.urls")),
    path("bureau/", include("scoring.urls")),
    path("bank/", include("banks.urls")),
    path("loans/", include("loans.urls")),
    path("guarantor/", include("guarantees.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("enterprise/report/", include("dashboard.report_urls")),
    path("verify/", include("dashboard.verify_urls")),
    path("enterprise/financing/", include("banks.financing_urls")),
    path("enterprise/policies/", include("policies.firm_urls")),
    path("enterprise/", include("enterprises.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/redoc/", api_redoc, name="api-redoc"),
    path("api/guide/", core_views.api_guide, name="api-guide"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
