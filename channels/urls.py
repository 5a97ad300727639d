from django.urls import path

from channels import views
from channels.amazon import views as amazon_views

app_name = "channels"

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("add/", views.channel_choose, name="add"),
    path("add/amazon/", amazon_views.amazon_add, name="add_amazon"),
    path("<int:integration_id>/", views.integration_detail, name="detail"),
    path("<int:integration_id>/toggle/", views.integration_toggle, name="toggle"),
    path("<int:integration_id>/verify/", amazon_views.verify, name="verify"),
    path("<int:integration_id>/remove/", views.integration_remove, name="remove"),
    path("<int:integration_id>/authorise/", amazon_views.authorise, name="authorise"),
    path("<int:integration_id>/authorise/start/", amazon_views.authorise_start, name="authorise_start"),
    path("<int:integration_id>/authorise/status/", amazon_views.authorise_status, name="authorise_status"),
]
