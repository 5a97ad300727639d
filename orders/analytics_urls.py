"""/analytics/ (every integration of the seller, removed ones included) and one integration's analytics."""

from django.urls import path

from orders import analytics_views

app_name = "analytics"

urlpatterns = [
    path("analytics/", analytics_views.analytics_total, name="total"),
    path(
        "settings/channels/<int:integration_id>/analytics/", analytics_views.integration_analytics, name="integration"
    ),
]
