"""The wording of the firm notices this app sends (loaded by ``PoliciesConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from enterprises.notices import notice_kind

POLICY_MATCH = "policy_match"

notice_kind(POLICY_MATCH, _("新近与贵企业条件相符的政策:%(count)s 项。请在“适合您的政策”中查看申报方式。"))
