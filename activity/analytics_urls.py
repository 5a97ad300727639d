"""/analytics/: every integration of the seller, including removed ones, in one view."""

from django.urls import path

from activity import views

urlpatterns = [path("", views.analytics_total, name="analytics")]
