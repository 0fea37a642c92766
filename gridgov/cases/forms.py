"""Forms of the case screens: one small form per action of the transition table, and the report form.

A form only shapes input; `transition_args()` turns it into the keyword arguments of
`case_transition`, which decides whether the action is allowed.
"""

from django import forms

from gridgov.accounts.models import User
from gridgov.cases.enums import AffairKind, Level, Outcome, Rating, Whistle
from gridgov.cases.models import Category, Department
from gridgov.territory.models import Building

# Actions that may carry photos from the phone (报到 needs one; 办结 shows the result).
PHOTO_ACTIONS = frozenset({"check_in", "handle", "resolve"})
HANDLER_ROLES = ("grid_worker", "grid_leader", "building_steward", "community_staff", "party_member", "volunteer")


def _departments():
    return Department.objects.filter(is_active=True).order_by("name")


class ActionForm(forms.Form):
    """The note every action may carry; subclasses add the action's own data."""

    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    data_fields: tuple = ()

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)

    def transition_args(self) -> dict:
        data = {name: self._plain(self.cleaned_data[name]) for name in self.data_fields
                if self.cleaned_data.get(name) not in (None, "", [])}
        return {"note": self.cleaned_data.get("note", ""), **data}

    @staticmethod
    def _plain(value):
        if hasattr(value, "pk"):
            return value.pk
        if hasattr(value, "__iter__") and not isinstance(value, str):
            return [getattr(v, "pk", v) for v in value]
        return value


class ReasonForm(ActionForm):
    reason = forms.CharField(label="理由", max_length=300)
    data_fields = ("reason",)


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(label="理由", max_length=300, required=False)
    data_fields = ("reason",)


class MergeForm(ActionForm):
    into = forms.IntegerField(label="合并到事件编号", min_value=1)
    data_fields = ("into",)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case is not None and case.possible_duplicate_of_id:
            self.fields["into"].initial = case.possible_duplicate_of_id


class RegisterForm(ActionForm):
    category = forms.ModelChoiceField(label="类别", queryset=Category.objects.none())
    affair_kind = forms.ChoiceField(label="事务类型", choices=AffairKind.choices)
    whistle = forms.ChoiceField(label="吹哨", choices=Whistle.choices, initial=Whistle.NONE)
    level = forms.ChoiceField(label="处置层级", choices=Level.choices, initial=Level.GRID)
    data_fields = ("category", "affair_kind", "whistle", "level")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        field = self.fields["category"]
        field.queryset = Category.objects.filter(is_active=True, parent__isnull=False).order_by("code")
        if case is not None and case.suggested_category_id:
            field.initial = case.suggested_category_id
            self.fields["whistle"].initial = case.suggested_category.whistle


class DispatchForm(ActionForm):
    lead_department = forms.ModelChoiceField(label="主办部门", queryset=Department.objects.none(), required=False)
    co_departments = forms.ModelMultipleChoiceField(label="协办部门", queryset=Department.objects.none(),
                                                    required=False)
    lead_user = forms.ModelChoiceField(label="或派给个人", queryset=User.objects.none(), required=False)
    data_fields = ("lead_department", "co_departments", "lead_user")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["lead_department"].queryset = self.fields["co_departments"].queryset = _departments()
        if case is not None:
            prefixes = [case.area_code[:n] for n in range(6, len(case.area_code) + 1)]
            self.fields["lead_user"].queryset = User.objects.filter(
                is_active=True, role__in=HANDLER_ROLES, area__code__in=prefixes).order_by("username")
            if case.category_id and case.category.department_id:
                self.fields["lead_department"].initial = case.category.department_id


class WhistleForm(ActionForm):
    whistle = forms.ChoiceField(label="吹哨类型", choices=[c for c in Whistle.choices if c[0] != Whistle.NONE])
    departments = forms.ModelMultipleChoiceField(label="应哨部门", queryset=Department.objects.none())
    data_fields = ("whistle", "departments")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["departments"].queryset = _departments()


class RequestWhistleForm(WhistleForm):
    data_fields = ("departments",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["whistle"]


class CheckInForm(ActionForm):
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(label="经度", min_value=-180, max_value=180, widget=forms.HiddenInput)
    data_fields = ("lat", "lng")


class HandleForm(ActionForm):
    note = forms.CharField(label="处置情况", widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(ActionForm):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    data_fields = ("result",)


class ExtensionForm(ActionForm):
    days = forms.FloatField(label="延期（工作日）", min_value=0.5, max_value=30)
    reason = forms.CharField(label="延期理由", max_length=300)
    data_fields = ("days", "reason")


class CloseForm(ActionForm):
    outcome = forms.ChoiceField(label="结案类型", choices=[c for c in Outcome.choices if c[0] != Outcome.WITHDRAWN],
                                initial=Outcome.FIXED)
    data_fields = ("outcome",)


class CloseReopenedForm(CloseForm):
    explanation = forms.CharField(label="督办说明", max_length=300)
    data_fields = ("outcome", "explanation")


class RateForm(ActionForm):
    rating = forms.ChoiceField(label="满意度", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="评价意见", max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    data_fields = ("rating", "comment")


class PublishForm(ActionForm):
    title = forms.CharField(label="公示标题", max_length=100)
    result = forms.CharField(label="公示结果", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="不得包含姓名、电话、门牌等个人信息")
    data_fields = ("title", "result")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case is not None:
            self.fields["title"].initial = (case.category.name if case.category_id else "问题") + "已处理"
            self.fields["result"].initial = case.result


class NoteForm(ActionForm):
    note = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 2}))
    internal = forms.BooleanField(label="仅内部可见", required=False, initial=True)

    def transition_args(self) -> dict:
        return {**super().transition_args(), "internal": self.cleaned_data["internal"]}


ACTION_FORMS = {
    "reject": ReasonForm, "merge": MergeForm, "register": RegisterForm, "dispatch": DispatchForm,
    "whistle": WhistleForm, "request_whistle": RequestWhistleForm, "refuse_whistle": ReasonForm,
    "return_order": ReasonForm, "check_in": CheckInForm, "handle": HandleForm, "resolve": ResolveForm,
    "request_extension": ExtensionForm, "refuse_extension": ReasonForm, "send_back": ReasonForm,
    "close": CloseForm, "close_reopened": CloseReopenedForm, "withdraw": OptionalReasonForm, "rate": RateForm,
    "suspend": ReasonForm, "publish": PublishForm, "note": NoteForm,
}


def action_form(action: str, *, case, data=None, auto_id: str = "id_%s") -> ActionForm:
    return ACTION_FORMS.get(action, ActionForm)(data, case=case, auto_id=auto_id)


# --- the resident's report ----------------------------------------------------------------------------

class ReportForm(forms.Form):
    description = forms.CharField(label="问题描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    building = forms.ModelChoiceField(label="或选择楼栋", queryset=Building.objects.none(), required=False)
    address = forms.CharField(label="地址补充", max_length=200, required=False)
    reporter_name = forms.CharField(label="称呼", max_length=50, required=False)
    reporter_phone = forms.CharField(label="回访电话", max_length=12, required=False)
    anonymous = forms.BooleanField(label="匿名反映（不留称呼和电话）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.select_related("estate")

    def chosen_building(self) -> Building | None:
        """The building picked so far (to keep it in the picker after a refused submit)."""
        pk = self["building"].value()
        return Building.objects.select_related("estate").filter(pk=pk).first() if str(pk or "").isdigit() else None

    def clean(self):
        data = super().clean()
        if data.get("building") is None and (data.get("lat") is None or data.get("lng") is None):
            raise forms.ValidationError("请定位、在地图上点选位置，或选择楼栋")
        return data


class DepartmentRatingForm(forms.Form):
    """基层反向评价: the community scores a department's answer to a whistle."""

    score = forms.TypedChoiceField(label="评分", coerce=int, choices=[(n, f"{n}分") for n in range(5, 0, -1)])
    comment = forms.CharField(label="意见", max_length=300, required=False)
