from django.urls import path

from stock import api

app_name = "supplier_api"

urlpatterns = [
    path("products", api.products, name="products"),
    path("stock", api.stock, name="stock"),
]
