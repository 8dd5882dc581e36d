"""factory_boy factories for core's models: people, their role records and the organisations they work for.

Regions and industry sections are seeded reference data (core 0002): tests use the seeded rows, never new ones.
"""

import factory

from core.choices import BankKind, InstitutionKind
from core.models import ApiClient, Bank, BankOfficer, Branch, BureauStaff, GuaranteeInstitution, GuarantorStaff, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


class BureauStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauStaff

    user = factory.SubFactory(UserFactory)
    bureau_name = "科技局"
    region_scope = ""
    role = "admin"


class BankFactory(factory.django.DjangoModelFactory):
    """A regional bank (the 21 national ones are seeded: use ``Bank.objects.get(code=...)``)."""

    class Meta:
        model = Bank

    code = factory.Sequence(lambda n: f"bank{n}")
    name = factory.Sequence(lambda n: f"示例农商银行{n}")
    short_name = factory.Sequence(lambda n: f"农商{n}")
    kind = BankKind.REGIONAL
    is_national = False
    region_scope = "44"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    bank = factory.SubFactory(BankFactory)
    name = factory.Sequence(lambda n: f"分行{n}")
    region_scope = "44"


class BankOfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankOfficer

    user = factory.SubFactory(UserFactory)
    bank = factory.SubFactory(BankFactory)


class GuaranteeInstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuaranteeInstitution

    name = factory.Sequence(lambda n: f"融资担保{n}")
    kind = InstitutionKind.LOCAL
    region_scope = "44"


class GuarantorStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuarantorStaff

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(GuaranteeInstitutionFactory)


class ApiClientFactory(factory.django.DjangoModelFactory):
    """A platform client (no bank, no guarantor); its plain token is ``client.token`` (shown once in real life)."""

    class Meta:
        model = ApiClient
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"客户端{n}")
    scopes = factory.LazyFunction(lambda: ["scores:read"])
    token_digest = factory.Sequence(lambda n: f"{n:064d}")
    token_prefix = "unused"

    @factory.post_generation
    def token(self, create, extracted, **kwargs):
        self.token = self.issue_token()
        if create:
            self.save(update_fields=["token_digest", "token_prefix"])
