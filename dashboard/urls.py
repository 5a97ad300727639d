"""Under /settings/channels/<integration_id>/: the integration's activity log and health."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("activity/", views.integration_activity, name="activity"),
]
