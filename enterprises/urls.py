from django.urls import path

from . import account_views, consent_views, notice_views, views

app_name = "enterprises"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("filing/", views.filing, name="filing"),
    path("filing/evidence/", views.evidence_upload, name="evidence-upload"),
    path("filing/evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("filing/evidence/<int:pk>/delete/", views.evidence_delete_view, name="evidence-delete"),
    path("consents/", consent_views.consents, name="consents"),
    path("consents/<int:pk>/revoke/", consent_views.consent_revoke_view, name="consent-revoke"),
    path("access-log/", consent_views.access_log, name="access-log"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("members/", account_views.members, name="members"),
    path("members/<int:pk>/approve/", account_views.member_approve, name="member-approve"),
    path("register/", account_views.register, name="register"),
    path("register/pending/", account_views.register_pending, name="register-pending"),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", account_views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password-reset/done/", account_views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
]
