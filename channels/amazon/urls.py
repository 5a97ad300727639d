from django.urls import path

from channels.amazon import views

app_name = "amazon"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
]
