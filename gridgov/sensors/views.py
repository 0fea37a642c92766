from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridgov.core.errors import DomainError, NotAllowed
from gridgov.people.selectors import resident_get_for
from gridgov.sensors import forms, selectors, services
from gridgov.sensors.enums import ALARM_HANDLERS, CARE_EDITORS, AlarmKind, AlarmStatus, DeviceKind


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
        "care_profile": selectors.care_profile_for(device.resident) if device.resident_id else None,
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


@login_required
def care_settings(request, resident_id):
    """A resident's care settings: every reader in scope sees them, care editors change them.
    Out of scope (or no reader) is 404; a reader who may not edit gets 403 on a save."""
    resident = resident_get_for(request.user, resident_id)
    profile = selectors.care_profile_for(resident)
    if request.method == "POST" and request.user.role not in CARE_EDITORS:
        raise PermissionDenied("您的角色不能修改关爱设置")
    data = request.POST if request.method == "POST" else None
    form, contacts = forms.CareSettingsForm(data, profile=profile), forms.ContactForms(data, profile=profile)
    if data is not None and _care_save(request, resident, form, contacts):
        messages.success(request, f"已保存 {resident.name} 的关爱设置")
        return redirect("sensors:care", resident.pk)
    return render(request, "sensors/care_settings.html", {
        "resident": resident, "profile": profile, "form": form, "contacts": contacts,
        "devices": selectors.resident_devices_by_monitor(request.user, resident),
        "can_edit": request.user.role in CARE_EDITORS, "problems": _problems(form, contacts),
    })


def _problems(form, contacts) -> list[str]:
    """Every message of a refused save, for the summary above the form (phones scroll)."""
    if not form.is_bound:
        return []
    return [message for messages_ in form.errors.values() for message in messages_] + contacts.errors()


def _care_save(request, resident, form, contacts) -> bool:
    """Validate everything first, then one service call: nothing is written unless all is valid."""
    if not all([form.is_valid(), contacts.is_valid()]):
        return False
    try:
        services.care_profile_set(resident=resident, by=request.user, contacts=contacts.contacts(),
                                  **form.settings())
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True
