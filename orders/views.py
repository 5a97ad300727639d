from django.shortcuts import render

from accounts.tenancy import seller_required


@seller_required
def order_list(request):
    return render(request, "orders/order_list.html")
