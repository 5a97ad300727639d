from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("export.csv", views.order_export, name="export"),
    path("<int:order_id>/", views.order_detail, name="detail"),
]
