"""Forms of the sensors pages: a resident's care settings and their emergency contacts.

Every message names the field (and the contact's row), so that it reads on its own in the
summary at the top of the page as well as next to its field.
"""

from decimal import Decimal

from django import forms

from gridgov.sensors.enums import ContactRole
from gridgov.sensors.models import CareProfile, EmergencyContact
from gridgov.sensors.services import CARE_HOURS, CARE_WATER_MAX_M3, Contact

HOURS_MIN, HOURS_MAX = CARE_HOURS      # the service's limits, so the page answers under the field
WATER_MAX_M3 = Decimal(CARE_WATER_MAX_M3)
MAX_CONTACTS = 10
# A new profile offers the three contacts the care rule names, in its order.
NEW_CONTACT_ROLES = (ContactRole.FAMILY, ContactRole.STEWARD, ContactRole.DOCTOR)
SETTINGS = ("monitor_door", "door_hours", "monitor_water", "water_hours", "water_min_m3", "monitor_motion",
            "motion_hours", "quiet_start", "quiet_end")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self):
        super().__init__(format="%H:%M")


def _hours(label: str) -> forms.IntegerField:
    wrong = f"{label}须为 {HOURS_MIN} 到 {HOURS_MAX} 之间的整数（小时）"
    return forms.IntegerField(label=label, min_value=HOURS_MIN, max_value=HOURS_MAX,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric", "aria-label": f"{label}（小时）"}),
                              error_messages={"required": f"请填写{label}", "invalid": wrong,
                                              "min_value": wrong, "max_value": wrong})


def profile_version(profile: CareProfile | None) -> str:
    """What the page was loaded with: a save over someone else's newer change is refused."""
    return profile.updated_at.isoformat() if profile is not None else "new"


class CareSettingsForm(forms.Form):
    monitor_door = forms.BooleanField(label="门磁：长时间未开门预警", required=False)
    door_hours = _hours("未开门预警时长")
    monitor_water = forms.BooleanField(label="水表：用水量过低预警", required=False)
    water_hours = _hours("用水统计时长")
    water_min_m3 = forms.DecimalField(
        label="最低用水量", min_value=0, max_value=WATER_MAX_M3, max_digits=6, decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal", "aria-label": "最低用水量（m³）"}),
        error_messages={"required": "请填写最低用水量", "invalid": "最低用水量须为数字（m³），例如 0.01",
                        "min_value": f"最低用水量须在 0 到 {WATER_MAX_M3} m³ 之间",
                        "max_value": f"最低用水量须在 0 到 {WATER_MAX_M3} m³ 之间",
                        "max_decimal_places": "最低用水量最多保留 3 位小数（m³）",
                        "max_digits": f"最低用水量须在 0 到 {WATER_MAX_M3} m³ 之间",
                        "max_whole_digits": f"最低用水量须在 0 到 {WATER_MAX_M3} m³ 之间"})
    monitor_motion = forms.BooleanField(label="人体红外：长时间无活动预警", required=False)
    motion_hours = _hours("无活动预警时长")
    quiet_start = forms.TimeField(label="免打扰开始", required=False, widget=TimeInput(),
                                  error_messages={"invalid": "免打扰开始时间格式应为 时:分，例如 22:00"})
    quiet_end = forms.TimeField(label="免打扰结束", required=False, widget=TimeInput(),
                                error_messages={"invalid": "免打扰结束时间格式应为 时:分，例如 07:00"})
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, profile: CareProfile | None):
        shown = profile or CareProfile()        # an unsaved profile carries the model's defaults
        initial = {name: getattr(shown, name) for name in SETTINGS}
        super().__init__(data, initial={**initial, "version": profile_version(profile)})
        self.profile = profile

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if start is not None and end is None and "quiet_end" not in self.errors:
            self.add_error("quiet_end", "请同时填写免打扰结束时间（或把开始时间也清空）")
        elif end is not None and start is None and "quiet_start" not in self.errors:
            self.add_error("quiet_start", "请同时填写免打扰开始时间（或把结束时间也清空）")
        elif start is not None and start == end:
            self.add_error("quiet_end", "免打扰结束时间不能与开始时间相同")
        if data.get("version") != profile_version(self.profile):
            raise forms.ValidationError("该居民的关爱设置已被他人修改，请刷新页面后重新填写", code="stale")
        return data

    def settings(self) -> dict:
        """The cleaned settings as care_profile_set takes them."""
        data = {name: self.cleaned_data[name] for name in SETTINGS}
        return {**data, "water_min_m3": float(data["water_min_m3"])}


class ContactForm(forms.Form):
    """One row: an existing contact (its phone kept when left blank) or a new one."""

    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label="顺序", required=False, min_value=1, max_value=MAX_CONTACTS,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    role = forms.ChoiceField(label="身份", required=False, choices=[("", "请选择"), *ContactRole.choices])
    name = forms.CharField(label="姓名", required=False, max_length=50)
    phone = forms.CharField(label="电话", required=False, max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    remove = forms.BooleanField(label="删除此联系人", required=False)

    def __init__(self, data=None, *, number: int, existing: dict[int, EmergencyContact], initial=None):
        super().__init__(data, prefix=f"c{number}", initial=initial)
        self.number, self.existing = number, existing
        who = f"第 {number} 行联系人"
        wrong_order = f"{who}的顺序须为 1 到 {MAX_CONTACTS} 之间的整数"
        self.fields["order"].error_messages.update(invalid=wrong_order, min_value=wrong_order, max_value=wrong_order)
        self.fields["role"].error_messages.update(invalid_choice=f"{who}的身份无效，请从列表中选择")
        self.fields["name"].error_messages.update(max_length=f"{who}的姓名不能超过 50 个字")
        self.fields["phone"].error_messages.update(max_length=f"{who}的电话须为 7–12 位数字")
        self.current = existing.get(self._raw_contact_id())
        if self.current is not None:
            self.fields["phone"].widget.attrs["placeholder"] = "留空保持原号码"

    def _raw_contact_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("contact")) if self.is_bound else (self.initial or {}).get("contact")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        who = f"第 {self.number} 行联系人"
        if data.get("contact") is not None and self.current is None:
            raise forms.ValidationError(f"{who}已被他人修改或删除，请刷新页面后重新填写", code="stale")
        data["phone"] = "".join(ch for ch in data.get("phone", "") if ch not in " -")
        if data.get("remove") or self.is_blank():
            return data
        for name, message in (("order", "请填写顺序"), ("role", "请选择身份"), ("name", "请填写姓名")):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, f"{who}：{message}")
        phone = data["phone"]
        if not phone and self.current is None and "phone" not in self.errors:
            self.add_error("phone", f"{who}：请填写电话")
        elif phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            self.add_error("phone", f"{who}的电话须为 7–12 位数字（手机或含区号的座机）")
        return data

    def is_blank(self) -> bool:
        """A row left empty (its preset role and order aside) adds nobody."""
        data = self.cleaned_data
        return self.current is None and not data.get("name", "").strip() and not data.get("phone")

    def kept(self) -> bool:
        return not self.cleaned_data.get("remove") and not self.is_blank()

    def contact_value(self) -> Contact:
        data = self.cleaned_data
        return Contact(role=data["role"], name=data["name"].strip(), phone=data["phone"] or self.current.phone)


class ContactForms:
    """The contact rows of the care page: the existing contacts in order, then rows to add."""

    def __init__(self, data=None, *, profile: CareProfile | None):
        existing = {c.pk: c for c in profile.contacts.all()} if profile is not None else {}
        if data is None:
            initials = self._initial_rows(list(existing.values()))
        else:
            initials = [None] * self._posted_rows(data)
        self.forms = [ContactForm(data, number=i, existing=existing, initial=initial)
                      for i, initial in enumerate(initials, start=1)]

    @staticmethod
    def _initial_rows(contacts: list[EmergencyContact]) -> list[dict]:
        rows = [{"contact": c.pk, "order": c.order, "role": c.role, "name": c.name}
                for c in sorted(contacts, key=lambda c: c.order)]
        if not rows:
            return [{"order": i, "role": role} for i, role in enumerate(NEW_CONTACT_ROLES, start=1)]
        return rows + [{"order": len(rows) + 1}] if len(rows) < MAX_CONTACTS else rows

    @staticmethod
    def _posted_rows(data) -> int:
        try:
            return min(max(int(data.get("contact_rows", 0)), 0), MAX_CONTACTS)
        except ValueError:
            return 0

    def __iter__(self):
        return iter(self.forms)

    def __len__(self):
        return len(self.forms)

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.forms])      # a list: every row gets its errors
        return valid and self._orders_unique()

    def _orders_unique(self) -> bool:
        seen: dict[int, ContactForm] = {}
        unique = True
        for form in (f for f in self.forms if f.kept()):
            order = form.cleaned_data["order"]
            if order in seen:
                form.add_error("order", f"第 {form.number} 行联系人的顺序 {order} 与第 {seen[order].number} 行联系人重复")
                unique = False
            seen.setdefault(order, form)
        return unique

    def contacts(self) -> list[Contact]:
        """The kept contacts in calling order (by their order number, then by row)."""
        kept = sorted((f for f in self.forms if f.kept()), key=lambda f: (f.cleaned_data["order"], f.number))
        return [f.contact_value() for f in kept]

    def errors(self) -> list[str]:
        return [message for form in self.forms for messages in form.errors.values() for message in messages]
