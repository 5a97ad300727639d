import factory
from django.utils import timezone

from accounts.tests.factories import SellerAccountFactory
from channels.models import Integration


class IntegrationFactory(factory.django.DjangoModelFactory):
    """An authorised Amazon UK integration."""

    class Meta:
        model = Integration

    account = factory.SubFactory(SellerAccountFactory)
    name = factory.Sequence(lambda n: f"Amazon UK {n}")
    marketplace_id = "A1F83G8C2ARO7P"
    selling_partner_id = factory.Sequence(lambda n: f"A{n:013d}")
    refresh_token = factory.Sequence(lambda n: f"Atzr|refresh-token-{n}")
    authorisation_state = Integration.AuthorisationState.AUTHORISED
    authorised_at = factory.LazyFunction(timezone.now)


class AwaitingIntegrationFactory(IntegrationFactory):
    """Just added through the wizard: no seller id or token yet."""

    selling_partner_id = ""
    refresh_token = ""
    authorisation_state = Integration.AuthorisationState.AWAITING
    authorised_at = None
