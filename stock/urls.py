from django.urls import path

from stock import views

app_name = "mappings"

urlpatterns = [
    path("", views.mapping_list, name="list"),
    path("add/", views.mapping_add, name="add"),
    path("<int:mapping_id>/remove/", views.mapping_remove, name="remove"),
    path("upload/", views.mapping_upload, name="upload"),
    path("upload/status/", views.mapping_upload_status, name="upload_status"),
    path("download.csv", views.mapping_download, name="download"),
    path("auto-map/", views.auto_map, name="auto_map"),
]
