"""Why a product is not for a firm yet, in words: one line per unmet condition of the shared product rule
(``banks.rules.product_misses``), naming the product's requirement beside the firm's own value, in the reader's
language. The supermarket shows them on a product the firm cannot apply for; ``financing_apply`` refuses with them."""

from django.utils.translation import gettext as _

from core.labels import listing, section_label
from scoring.templatetags.scoring_labels import stage as stage_label
from scoring.templatetags.scoring_labels import stages as stages_label

from .models import LoanProduct


def product_miss_text(condition: str, product: LoanProduct, *, grade: str | None, stage: str | None,
                      section: str) -> str:  # fmt: skip
    """One unmet condition (``region``, ``section``, ``grade``, ``stage``) of ``product`` for this firm."""
    if condition == "grade":
        return _("等级 %(grade)s 低于本产品的最低等级 %(minimum)s") % {"grade": grade, "minimum": product.min_grade}
    if condition == "stage":
        words = {"stages": stages_label(product.stages), "stage": stage_label(stage)}
        return _("本产品只面向%(stages)s企业,贵企业处于%(stage)s") % words
    if condition == "section":
        sections = listing(section_label(letter) for letter in product.sections)
        return _("本产品只面向 %(sections)s 行业,贵企业属于 %(section)s") % {
            "sections": sections,
            "section": section_label(section),
        }
    return _("本产品在贵企业所在地区没有服务网点")


def product_misses_text(
    misses, product: LoanProduct, *, grade: str | None, stage: str | None, section: str
) -> list[str]:
    """Each unmet condition in words, in the order ``banks.rules.PRODUCT_CONDITIONS`` gives them."""
    return [product_miss_text(c, product, grade=grade, stage=stage, section=section) for c in misses]
