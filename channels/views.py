from django.shortcuts import render

from accounts.tenancy import seller_required


@seller_required
def integration_list(request):
    return render(request, "channels/integration_list.html")
