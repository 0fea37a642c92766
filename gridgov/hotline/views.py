"""The import page for community staff and the command centre."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from gridgov.core.errors import DomainError
from gridgov.hotline import services, sheet
from gridgov.hotline.enums import HOTLINE_IMPORTERS
from gridgov.hotline.rows import COLUMNS, OPTIONAL_COLUMNS


@login_required
def order_import(request):
    if request.user.role not in HOTLINE_IMPORTERS:
        raise Http404
    context = {"columns": list(COLUMNS), "optional": list(OPTIONAL_COLUMNS)}
    upload = request.FILES.get("file") if request.method == "POST" else None
    if request.method == "POST" and upload is None:
        context["error"] = "请选择 .xlsx 文件"
    elif upload is not None:
        try:
            rows = sheet.read_orders(upload.read())
            context["result"] = services.hotline_orders_import(rows=rows, by=request.user)
        except DomainError as exc:
            context["error"], context["details"] = exc.message, exc.details
    return render(request, "hotline/import.html", context, status=400 if context.get("error") else 200)
