"""The population ledger (.xlsx): template, import (parse → validate → apply) and masked export.

An import validates the whole file before it writes anything, reports every bad row with its
row, column and reason, and then applies the file in one transaction through the services.
Households are keyed by 户编号 and residents by the blind index of their ID number, so the
same file imported twice changes nothing the second time.
"""

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.db import transaction
from django.utils import timezone
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from gridgov.accounts.enums import LEDGER_IMPORTERS, PII_REVEALERS, AccessAction
from gridgov.core.errors import DomainError, NotAllowed, NotFound
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index, mask_id_number, mask_phone
from gridgov.people import selectors, services
from gridgov.people.enums import CareGroup, Gender, HouseholdRole, HukouKind
from gridgov.people.models import Household, Resident
from gridgov.territory.models import Area, Building, Dwelling

COLUMNS = ["户编号", "楼栋编码", "房号", "单元", "楼层", "姓名", "身份证号", "性别", "联系电话",
           "与户主关系", "户籍类型", "居住起始日期", "重点人群"]
REQUIRED = ("户编号", "楼栋编码", "房号", "姓名", "身份证号", "居住起始日期")
# An import writes residents, so the importer must also be a writer (the command centre is not).
# Masked exports of a grid's ledger: the roles that may see the records of their scope in full anyway.
LEDGER_EXPORTERS = PII_REVEALERS
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_GENDER = {label: value for value, label in Gender.choices}
_ROLE = {label: value for value, label in HouseholdRole.choices}
_HUKOU = {label: value for value, label in HukouKind.choices}
_CARE = {label: value for value, label in CareGroup.choices}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self):
        return f"第{self.row}行 [{self.column}] {self.reason}"


@dataclass
class PlannedRow:
    """One valid row: who, in which household and dwelling, and what to add."""

    row: int
    household_number: str
    dwelling: Dwelling
    person: services.Person
    care_groups: list[str]
    existing: Resident | None = None


@dataclass
class LedgerResult:
    errors: list[RowError] = field(default_factory=list)
    households_created: int = 0
    residents_created: int = 0
    care_added: int = 0
    residents_existing: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        return (f"居民 {self.residents_created} 新增，户 {self.households_created} 新增，"
                f"重点人群 {self.care_added} 新增；{self.residents_existing} 人已在库")


# --- template and export ------------------------------------------------------------------

def _workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_sheet(title: str):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJKLM", (14, 12, 10, 6, 6, 10, 22, 6, 14, 10, 12, 14, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook, sheet


def template_bytes() -> bytes:
    """The empty import template, with a second sheet explaining each column."""
    workbook, _ = _header_sheet("人口台账")
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    explanations = {
        "户编号": "同一户的成员填写相同的户编号；重复导入时按户编号识别已登记的户",
        "楼栋编码": "平台中已登记的楼栋编码",
        "房号": "该楼栋下已登记的房号",
        "单元": "可不填；填写时须与房屋登记一致",
        "楼层": "可不填；填写时须与房屋登记一致",
        "身份证号": "18位，校验位正确；出生日期和性别由证件号得出",
        "性别": "可不填；填写时（男/女）须与身份证号一致",
        "联系电话": "7–12位数字",
        "与户主关系": "、".join(HouseholdRole.labels) + "；不填为户主",
        "户籍类型": "、".join(HukouKind.labels) + "；不填为本地户籍",
        "居住起始日期": "如 2020-05-01",
        "重点人群": "可多个，以逗号分隔：" + "、".join(CareGroup.labels),
    }
    for column in COLUMNS:
        notes.append([column, "必填" if column in REQUIRED else "选填", explanations.get(column, "")])
    return _workbook_bytes(workbook)


def _export_row(resident: Resident, care: list[str]) -> list:
    household = resident.household
    dwelling = household.dwelling if household else None
    return [
        household.number if household else "", dwelling.building.code if dwelling else "",
        dwelling.number if dwelling else "", dwelling.entrance if dwelling else "",
        dwelling.floor if dwelling else "", resident.name, mask_id_number(resident.id_number),
        resident.get_gender_display(), mask_phone(resident.phone), resident.get_household_role_display(),
        resident.get_hukou_kind_display(), resident.residence_since, "，".join(care),
    ]


def ledger_export(*, user, area_code: str = "", ip: str | None = None) -> tuple[bytes, int]:
    """The ledger of one area of the user's scope as .xlsx with masked values; logged as an export."""
    if user.role not in LEDGER_EXPORTERS or user.scope_code is None:
        raise NotAllowed("您的角色不能导出人口台账")
    area_code = area_code or user.scope_code
    if not area_code.startswith(user.scope_code) or not Area.objects.filter(code=area_code).exists():
        raise NotFound(f"区域 {area_code} 不存在或不在您的管辖范围内")
    residents = (selectors.residents_visible_to(user).filter(area_code__subtree=area_code)
                 .select_related("household__dwelling__building").prefetch_related("care")
                 .order_by("household__number", "id"))
    workbook, sheet = _header_sheet("人口台账")
    count = 0
    for resident in residents:
        care = [m.get_group_display() for m in selectors.resident_care_groups(resident)]
        sheet.append(_export_row(resident, care))
        count += 1
    services.access_log_add(user=user, action=AccessAction.EXPORT, subject_type="area", subject_id=area_code,
                            reason=f"导出人口台账（脱敏）{count} 人", ip=ip)
    return _workbook_bytes(workbook), count


# --- import: parse ------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def parse(file) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The data rows as (Excel row number, {column: value}); a missing column is an error of row 1."""
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise DomainError("无法读取文件，请上传按模板填写的 .xlsx 台账", code="invalid_file") from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    missing = [RowError(1, column, "缺少此列") for column in COLUMNS if column not in header]
    if missing:
        return [], missing
    where = {column: header.index(column) for column in COLUMNS}
    parsed = []
    for number, values in enumerate(rows, start=2):
        if not any(_text(v) for v in values):
            continue
        cells = {column: (values[i] if i < len(values) else None) for column, i in where.items()}
        parsed.append((number, cells))
    workbook.close()
    if not parsed:
        return [], [RowError(2, "—", "文件中没有数据行")]
    return parsed, []


# --- import: validate ---------------------------------------------------------------------

class _RowCheck:
    """Collects the errors of one row; a converter returns None after recording its error."""

    def __init__(self, number: int, cells: dict, errors: list[RowError]):
        self.number, self.cells, self.errors = number, cells, errors

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.number, column, reason))

    def text(self, column: str) -> str:
        value = _text(self.cells[column])
        if not value and column in REQUIRED:
            self.error(column, "必填项为空")
        return value

    def choice(self, column: str, mapping: dict, default: str) -> str | None:
        value = self.text(column)
        if not value:
            return default
        if value in mapping:
            return mapping[value]
        if value in mapping.values():
            return value
        self.error(column, f"无效的值「{value}」，可选：{'、'.join(mapping)}")
        return None

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        if value and not value.lstrip("-").isdigit():
            self.error(column, f"应为整数：{value}")
            return None
        return int(value) if value else None

    def date(self, column: str) -> dt.date | None:
        raw = self.cells[column]
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        value = self.text(column)
        for fmt in _DATE_FORMATS if value else ():
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        if value:
            self.error(column, f"日期格式错误：{value}（应如 2020-05-01）")
        return None


class _Validator:
    """Validates rows against the file itself and the database (one query per kind of lookup)."""

    def __init__(self, rows: list[tuple[int, dict]], user):
        self.rows, self.user = rows, user
        self.errors: list[RowError] = []
        self.seen_ids: dict[str, int] = {}
        self.households_in_file: dict[str, tuple[int, Dwelling]] = {}
        self.today = timezone.localdate()
        self._load()

    def _column(self, column: str) -> set[str]:
        return {_text(cells[column]) for _, cells in self.rows} - {""}

    def _load(self) -> None:
        scope = "" if self.user is None else (self.user.scope_code or None)
        buildings = Building.objects.filter(code__in=self._column("楼栋编码"))
        self.buildings = {} if scope is None else {
            b.code: b for b in buildings.filter(area_code__subtree=scope)}
        self.dwellings = {(d.building_id, d.number): d for d in Dwelling.objects.filter(
            building__in=self.buildings.values(), number__in=self._column("房号"))}
        self.households = {h.number: h for h in Household.objects.filter(number__in=self._column("户编号"))}
        indexes = {blind_index(idcard.normalise(v)) for v in self._column("身份证号")}
        self.residents = {r.id_number_index: r for r in Resident.objects.filter(
            id_number_index__in=indexes).select_related("household")}

    def run(self) -> list[PlannedRow]:
        planned = [self._row(number, cells) for number, cells in self.rows]
        return [p for p in planned if p is not None] if not self.errors else []

    def _row(self, number: int, cells: dict) -> PlannedRow | None:
        check = _RowCheck(number, cells, self.errors)
        before = len(self.errors)
        household_number = check.text("户编号")
        name = check.text("姓名")
        dwelling = self._dwelling(check)
        self._household(check, household_number, dwelling)
        identity = self._identity(check)
        since = self._since(check, identity)
        phone = check.text("联系电话")
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            check.error("联系电话", f"电话号码格式错误：{phone}")
        role = check.choice("与户主关系", _ROLE, HouseholdRole.HEAD)
        hukou = check.choice("户籍类型", _HUKOU, HukouKind.LOCAL)
        care = self._care(check)
        if len(self.errors) > before:
            return None
        number_18, birth, gender = identity
        existing = self._existing(check, number_18, household_number)
        if len(self.errors) > before:
            return None
        person = services.Person(name=name, id_number=number_18, phone=phone, gender=gender, birth_date=birth,
                                 household_role=role, hukou_kind=hukou, residence_since=since)
        return PlannedRow(number, household_number, dwelling, person, care, existing)

    def _dwelling(self, check: _RowCheck) -> Dwelling | None:
        code, number = check.text("楼栋编码"), check.text("房号")
        entrance, floor = check.integer("单元"), check.integer("楼层")
        building = self.buildings.get(code)
        if code and building is None:
            check.error("楼栋编码", f"楼栋「{code}」不存在或不在您的管辖范围内")
            return None
        dwelling = self.dwellings.get((building.pk, number)) if building and number else None
        if building and number and dwelling is None:
            check.error("房号", f"楼栋「{code}」下没有房号「{number}」")
        if dwelling and entrance is not None and entrance != dwelling.entrance:
            check.error("单元", f"与房屋登记不符（登记为 {dwelling.entrance} 单元）")
        if dwelling and floor is not None and floor != dwelling.floor:
            check.error("楼层", f"与房屋登记不符（登记为 {dwelling.floor} 层）")
        return dwelling

    def _household(self, check: _RowCheck, number: str, dwelling: Dwelling | None) -> None:
        if not number or dwelling is None:
            return
        first = self.households_in_file.setdefault(number, (check.number, dwelling))
        if first[1].pk != dwelling.pk:
            check.error("户编号", f"与第{first[0]}行同一户编号，但房屋不同")
        known = self.households.get(number)
        if known is not None and known.dwelling_id != dwelling.pk:
            check.error("户编号", f"户编号「{number}」已登记在其他房屋")
        elif known is not None and not known.is_active:
            check.error("户编号", f"户「{number}」已迁出")

    def _identity(self, check: _RowCheck) -> tuple[str, dt.date | None, str]:
        number = idcard.normalise(check.text("身份证号"))
        given = check.choice("性别", _GENDER, "")
        if not number:
            return "", None, ""
        try:
            birth, gender = idcard.parse(number)
        except idcard.InvalidIdNumber as exc:
            check.error("身份证号", str(exc))
            return "", None, ""
        if given and given != gender:
            check.error("性别", f"与身份证号不符（证件号为{Gender(gender).label}性）")
        first = self.seen_ids.setdefault(number, check.number)
        if first != check.number:
            check.error("身份证号", f"与第{first}行重复（同一人）")
        return number, birth, gender

    def _since(self, check: _RowCheck, identity: tuple) -> dt.date | None:
        since = check.date("居住起始日期")
        if since and since > self.today:
            check.error("居住起始日期", f"日期晚于今天：{since}")
        elif since and identity[1] and since < identity[1]:
            check.error("居住起始日期", f"早于出生日期 {identity[1]}")
        return since

    def _care(self, check: _RowCheck) -> list[str]:
        groups = []
        for label in _LIST_SPLIT.split(check.text("重点人群")):
            if not label:
                continue
            if label not in _CARE:
                check.error("重点人群", f"未知的重点人群「{label}」，可选：{'、'.join(_CARE)}")
            elif _CARE[label] not in groups:
                groups.append(_CARE[label])
        return groups

    def _existing(self, check: _RowCheck, number: str, household_number: str) -> Resident | None:
        resident = self.residents.get(blind_index(number))
        if resident is None:
            return None
        if not resident.is_active or resident.household is None or resident.household.number != household_number:
            check.error("身份证号", "重复人员：该身份证号已在库中登记（在其他户或已迁出）")
        return resident


# --- import: apply ------------------------------------------------------------------------

def _count(result: LedgerResult, planned: list[PlannedRow]) -> None:
    new_households = {p.household_number for p in planned} - set(
        Household.objects.filter(number__in={p.household_number for p in planned}).values_list("number", flat=True))
    result.households_created = len(new_households)
    result.residents_created = sum(1 for p in planned if p.existing is None)
    result.residents_existing = sum(1 for p in planned if p.existing is not None)
    result.care_added = sum(len(_care_missing(p)) for p in planned)


def _care_missing(row: PlannedRow) -> list[str]:
    if row.existing is None:
        return row.care_groups
    current = {m.group for m in selectors.resident_care_groups(row.existing)}
    return [g for g in row.care_groups if g not in current]


@transaction.atomic
def _apply(planned: list[PlannedRow], user) -> None:
    today = timezone.localdate()
    by_household: dict[str, list[PlannedRow]] = {}
    for row in planned:
        by_household.setdefault(row.household_number, []).append(row)
    for number, rows in by_household.items():
        household = Household.objects.filter(number=number).first()
        new = [r for r in rows if r.existing is None]
        if household is None:
            household = services.household_move_in(
                dwelling=rows[0].dwelling, number=number, people=[r.person for r in new],
                moved_on=min(r.person.residence_since for r in new), by=user, verified=False)
        else:
            for row in new:
                services.resident_add_to_household(household=household, person=row.person,
                                                   moved_on=row.person.residence_since, by=user)
        for row in rows:
            resident = row.existing or Resident.objects.get(id_number_index=blind_index(row.person.id_number))
            for group in _care_missing(row):
                services.care_membership_add(resident=resident, group=group, valid_from=today, by=user,
                                             note="台账导入")


def ledger_import(*, file, user=None, dry_run: bool = False, filename: str = "",
                  ip: str | None = None) -> LedgerResult:
    """Validate the whole file; write it (one transaction) only when every row is valid.

    `user` None is the command line without --by: the whole territory, recorded by nobody.
    """
    if user is not None and user.role not in LEDGER_IMPORTERS:
        raise NotAllowed("您的角色不能导入人口台账")
    rows, errors = parse(file)
    if errors:
        return LedgerResult(errors=errors)
    validator = _Validator(rows, user)
    planned = validator.run()
    if validator.errors:
        return LedgerResult(errors=validator.errors)
    result = LedgerResult()
    _count(result, planned)
    if dry_run:
        return result
    with transaction.atomic():
        _apply(planned, user)
        if user is not None:
            services.access_log_add(user=user, action=AccessAction.IMPORT, subject_type="ledger",
                                    subject_id=(filename or "ledger.xlsx")[:50], reason=result.summary, ip=ip)
    result.applied = True
    return result
