from django import forms
from django.utils import timezone

from gridgov.people.enums import CareGroup
from gridgov.people.services import REVEALABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class MoveOutForm(forms.Form):
    moved_on = forms.DateField(label="迁出日期", widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label="备注（去向等）", max_length=200, required=False)


class MoveWithinForm(forms.Form):
    to_dwelling = forms.ModelChoiceField(label="迁入房屋", queryset=None, empty_label="请选择房屋")
    moved_on = forms.DateField(label="迁居日期", widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, dwellings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_dwelling"].queryset = dwellings


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=list(REVEALABLE_FIELDS.items()))
    reason = forms.CharField(label="查看事由", max_length=200, min_length=2)


class ResidentFilterForm(forms.Form):
    q = forms.CharField(label="姓名 / 身份证号 / 电话", required=False)
    care_group = forms.ChoiceField(label="重点人群", required=False,
                                   choices=[("", "全部")] + list(CareGroup.choices))
    grid = forms.ChoiceField(label="网格", required=False)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", "全部")] + [(g.code, g.name) for g in grids]


class LedgerImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")
    dry_run = forms.BooleanField(label="只检查，不写入", required=False)
