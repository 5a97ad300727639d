from django.contrib import admin
from django.urls import include, path

from accounts.views import account_settings
from avasam.api import api as supplier_api
from avasam.health import healthz
from dashboard.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", supplier_api.urls),
    path("settings/account/", account_settings, name="account_settings"),
    path("settings/channels/<int:integration_id>/", include("stock.urls")),
    path("settings/channels/<int:integration_id>/", include("dashboard.urls")),
    path("settings/channels/", include("channels.urls")),
    path("channels/amazon/", include("channels.amazon.urls")),
    path("orders/", include("orders.urls")),
    path("orders/", include("fulfilment.urls")),
    path("", include("orders.analytics_urls")),
]
