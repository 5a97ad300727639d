"""Under /settings/channels/<integration_id>/: the listing mappings, and why a listing shows its quantity."""

from django.urls import path

from stock import views

app_name = "mappings"

urlpatterns = [
    path("mappings/", views.mapping_list, name="list"),
    path("mappings/add/", views.mapping_add, name="add"),
    path("mappings/<int:mapping_id>/remove/", views.mapping_remove, name="remove"),
    path("mappings/upload/", views.mapping_upload, name="upload"),
    path("mappings/upload/status/", views.mapping_upload_status, name="upload_status"),
    path("mappings/download.csv", views.mapping_download, name="download"),
    path("mappings/auto-map/", views.auto_map, name="auto_map"),
    path("listings/<int:mapping_id>/why/", views.listing_explain, name="explain"),
]
