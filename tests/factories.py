"""factory_boy factories shared by the app tests."""

import factory

from core.models import BureauStaff, User


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
