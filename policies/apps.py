from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("政策找企业")

    def ready(self) -> None:
        from core.audit import track
        from scoring.signals import run_published

        from . import notices  # noqa: F401  registers the notice wording
        from .models import Policy
        from .receivers import policies_match_on_publication

        track(Policy, only=("region_scope", "name", "issuer", "policy_class", "benefit", "deadline", "office",
                            "contact", "how_to_apply", "conditions", "active", "version"))  # fmt: skip
        run_published.connect(policies_match_on_publication, dispatch_uid="policies-match-on-publication")
