"""Under /orders/: the seller's fulfilment actions on an order."""

from django.urls import path

from fulfilment import views

app_name = "fulfilment"

urlpatterns = [
    path("<int:order_id>/parcels/<int:parcel_id>/retry/", views.parcel_retry_view, name="parcel_retry"),
]
