"""Under /settings/channels/<integration_id>/: the activity log, analytics, and why a listing shows its quantity."""

from django.urls import path

from activity import views

app_name = "activity"

urlpatterns = [
    path("activity/", views.integration_activity, name="runs"),
    path("analytics/", views.integration_analytics, name="analytics"),
    path("listings/<int:mapping_id>/why/", views.listing_explain, name="explain"),
]
