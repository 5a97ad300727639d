"""What other apps hear about integrations, so that channels never imports them.

Each signal is sent inside the transaction of the change that caused it; receivers do their part in that same
transaction, so the change and its consequences commit (or roll back) together.
"""

from __future__ import annotations

from django.dispatch import Signal

# What an integration's listings should advertise on the channel may have changed (enabled or disabled,
# authorised, a setting such as the stock threshold). Sent with `integration`.
integration_listings_changed = Signal()

# These channel SKUs of an integration were mapped, re-mapped or unmapped. Sent with `integration_id` and
# `channel_skus` (a set).
listing_mappings_changed = Signal()

# An operator asked for work to start now rather than at the next scheduled run (Django admin). Sent with
# `integration_ids` (of integrations that may do that work) and `work` (a channels.eligibility.Work).
work_requested = Signal()
