from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridgov.core.errors import DomainError
from gridgov.sensors import selectors, services
from gridgov.sensors.enums import ALARM_HANDLERS, AlarmKind, AlarmStatus, DeviceKind


@login_required
def device_list(request):
    kind = request.GET.get("kind", "")
    devices = selectors.devices_search(request.user, kind=kind, query=request.GET.get("q", ""))
    page = Paginator(devices, 50).get_page(request.GET.get("page"))
    return render(request, "sensors/device_list.html", {
        "page": page, "kinds": DeviceKind.choices, "kind": kind, "q": request.GET.get("q", ""),
    })


@login_required
def device_detail(request, device_id):
    device = selectors.device_get_for(request.user, device_id)
    return render(request, "sensors/device_detail.html", {
        "device": device, "events": device.events.order_by("-ts", "-id")[:50],
        "alarms": selectors.alarms_visible_to(request.user).filter(device=device)[:20],
    })


@login_required
def alarm_list(request):
    status, kind = request.GET.get("status", "open"), request.GET.get("kind", "")
    alarms = selectors.alarms_search(request.user, status=status, kind=kind)
    page = Paginator(alarms, 50).get_page(request.GET.get("page"))
    return render(request, "sensors/alarm_list.html", {
        "page": page, "status": status, "kind": kind, "kinds": AlarmKind.choices,
        "statuses": [("open", "未解除"), *AlarmStatus.choices],
        "can_handle": request.user.role in ALARM_HANDLERS,
    })


@login_required
@require_POST
def alarm_transition(request, alarm_id):
    alarm = selectors.alarm_get_for(request.user, alarm_id)
    try:
        services.alarm_transition(alarm=alarm, to=request.POST.get("to", ""), by=request.user,
                                  note=request.POST.get("note", ""))
        messages.success(request, f"告警 #{alarm.pk} 已{AlarmStatus(alarm.status).label}")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sensors:alarms")
