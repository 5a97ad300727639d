import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, SellerAccount


class SellerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerAccount

    company = factory.Sequence(lambda n: f"Company {n} Ltd")


class SellerUserFactory(factory.django.DjangoModelFactory):
    """A user who belongs to a (new) seller account."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"seller{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct horse battery")
    membership = factory.RelatedFactory("accounts.tests.factories.MembershipFactory", factory_related_name="user")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    account = factory.SubFactory(SellerAccountFactory)
    is_owner = True
