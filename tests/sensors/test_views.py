import datetime as dt

import pytest

from gridgov.sensors import services
from gridgov.sensors.models import Alarm, AlarmLog, CareProfile
from tests.sensors.conftest import T0


@pytest.fixture
def care_alarm(devices):
    services.devices_sweep_activity(T0 + dt.timedelta(hours=24))
    return Alarm.objects.get()


def test_device_page_lists_only_devices_in_scope(devices, client_for):
    page = client_for("worker_a").get("/sensors/").content.decode()
    assert "DS-A-1" in page and "SM-A-1" in page and "WM-B-1" not in page


def test_device_detail_out_of_scope_is_404(devices, client_for):
    assert client_for("worker_b").get(f"/sensors/devices/{devices['door'].pk}/").status_code == 404
    assert "智慧门磁 DS-A-1" in client_for("worker_a").get(f"/sensors/devices/{devices['door'].pk}/").content.decode()


def test_alarm_page_shows_the_alarm_with_its_actions(care_alarm, client_for):
    page = client_for("steward_a").get("/sensors/alarms/").content.decode()
    assert "门磁 24 小时未开门" in page and 'value="acknowledged"' in page


def test_steward_acknowledges_from_the_page(care_alarm, client_for):
    response = client_for("steward_a").post(f"/sensors/alarms/{care_alarm.pk}/transition/", {"to": "acknowledged"})
    assert (response.status_code, response.url) == (302, "/sensors/alarms/")
    care_alarm.refresh_from_db()
    assert care_alarm.status == "acknowledged"


@pytest.mark.parametrize("who", ["worker_b", "resident", "auditor"])
def test_refused_page_transition_changes_nothing(care_alarm, client_for, who):
    response = client_for(who).post(f"/sensors/alarms/{care_alarm.pk}/transition/", {"to": "cleared"})
    assert response.status_code == 404
    care_alarm.refresh_from_db()
    assert (care_alarm.status, AlarmLog.objects.count()) == ("active", 1)


def test_anonymous_is_sent_to_login(client_for):
    response = client_for(None).get("/sensors/alarms/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unknown_target_state_is_refused_with_a_message(care_alarm, client_for):
    client = client_for("steward_a")
    response = client.post(f"/sensors/alarms/{care_alarm.pk}/transition/", {"to": "exploded"}, follow=True)
    assert "未知的告警状态：exploded" in response.content.decode()
    care_alarm.refresh_from_db()
    assert care_alarm.status == "active"


# --- the care-settings page ---------------------------------------------------------------

SETTINGS = ("monitor_door", "door_hours", "monitor_water", "water_hours", "water_min_m3", "monitor_motion",
            "motion_hours", "quiet_start", "quiet_end")


def care_url(resident) -> str:
    return f"/sensors/residents/{resident.pk}/care/"


def snapshot(resident):
    """Everything the page may change, to show that a refused save changed nothing."""
    profile = CareProfile.objects.filter(resident=resident).first()
    if profile is None:
        return None
    contacts = [(c.order, c.role, c.name, c.phone) for c in profile.contacts.order_by("order")]
    return {name: getattr(profile, name) for name in SETTINGS}, profile.updated_at, contacts


def as_posted(page) -> dict:
    """What the browser would send back for the page as it was shown (untouched)."""
    form, contacts = page.context["form"], page.context["contacts"]
    data = {"version": form.initial["version"], "contact_rows": str(len(contacts))}
    for name in SETTINGS:
        value = form.initial[name]
        if value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = "" if value is None else value.strftime("%H:%M") if isinstance(value, dt.time) else str(value)
    for row in contacts:
        for name in ("contact", "order", "role", "name"):
            data[row.add_prefix(name)] = str(row.initial.get(name, ""))
        data[row.add_prefix("phone")] = ""
    return data


def post_care(client, resident, **changes):
    data = as_posted(client.get(care_url(resident)))
    data.update({k: v for k, v in changes.items() if v is not None})
    for name in (k for k, v in changes.items() if v is None):
        data.pop(name, None)
    return client.post(care_url(resident), data)


def test_care_page_shows_settings_devices_and_masked_phones(devices, client_for):
    page = client_for("worker_a").get(care_url(devices["zhang"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "关爱设置 · 张秀英" in html and "东城公租房1栋 1-1201" in html
    assert f'<a href="/sensors/devices/{devices["door"].pk}/">智慧门磁 DS-A-1</a>' in html
    assert "智能烟感 SM-A-1" in html and "未绑定水表" in html
    assert "（现为 137****1111）" in html and "（现为 136****2222）" in html
    assert "13700001111" not in html and "13600002222" not in html
    rows = page.context["contacts"].forms
    assert [(r.initial["order"], r.initial["role"], r.initial["name"]) for r in rows[:2]] == [
        (1, "family", "张伟"), (2, "doctor", "刘医生")]
    assert rows[2].initial == {"order": 3}
    assert "保存关爱设置" in html


def test_grid_worker_of_grid_a_saves_settings_and_contacts(devices, client_for):
    zhang, client = devices["zhang"], client_for("worker_a")
    response = post_care(client, zhang, door_hours="36", monitor_water=None, water_hours="6",
                         water_min_m3="0.02", motion_hours="48", quiet_start="22:00", quiet_end="07:00",
                         **{"c1-order": "2", "c2-order": "1", "c2-phone": "136 0000 3333",
                            "c3-order": "3", "c3-role": "steward", "c3-name": "王楼长", "c3-phone": "13500004444"})
    assert (response.status_code, response.url) == (302, care_url(zhang))
    settings, _, contacts = snapshot(zhang)
    assert settings == {"monitor_door": True, "door_hours": 36, "monitor_water": False, "water_hours": 6,
                        "water_min_m3": 0.02, "monitor_motion": True, "motion_hours": 48,
                        "quiet_start": dt.time(22, 0), "quiet_end": dt.time(7, 0)}
    assert contacts == [(1, "doctor", "刘医生", "13600003333"), (2, "family", "张伟", "13700001111"),
                        (3, "steward", "王楼长", "13500004444")]
    page = client.get(response.url).content.decode()
    assert "已保存 张秀英 的关爱设置" in page and "135****4444" in page


def test_the_save_rearms_the_residents_door_sensor(devices, client_for):
    services.events_ingest(events=[services.Event("DS-A-1", "e1", T0, "door_open")], source="mqtt", now=T0)
    post_care(client_for("worker_a"), devices["zhang"], door_hours="48")
    devices["door"].refresh_from_db()
    assert devices["door"].activity_due_at == T0 + dt.timedelta(hours=48)


def test_a_contact_is_removed_and_the_rest_keep_their_phones(devices, client_for):
    post_care(client_for("worker_a"), devices["zhang"], **{"c1-remove": "on", "c2-order": "1"})
    assert snapshot(devices["zhang"])[2] == [(1, "doctor", "刘医生", "13600002222")]


def test_a_new_resident_gets_the_defaults_and_the_three_contact_rows(devices, client_for):
    li = devices["li"]
    page = client_for("worker_b").get(care_url(li))
    assert "尚未设置关爱监测" in page.content.decode()
    assert {name: page.context["form"].initial[name] for name in SETTINGS} == {
        "monitor_door": True, "door_hours": 24, "monitor_water": True, "water_hours": 12, "water_min_m3": 0.01,
        "monitor_motion": True, "motion_hours": 24, "quiet_start": None, "quiet_end": None}
    assert [r.initial for r in page.context["contacts"]] == [
        {"order": 1, "role": "family"}, {"order": 2, "role": "steward"}, {"order": 3, "role": "doctor"}]
    response = post_care(client_for("worker_b"), li, **{"c1-name": "李娜", "c1-phone": "13911112222"})
    assert response.status_code == 302
    settings, _, contacts = snapshot(li)
    assert (settings["door_hours"], settings["water_min_m3"], contacts) == (24, 0.01, [(1, "family", "李娜", "13911112222")])


def test_a_grid_worker_of_grid_b_cannot_see_or_change_grid_a(devices, client_for):
    zhang, before = devices["zhang"], snapshot(devices["zhang"])
    data = as_posted(client_for("worker_a").get(care_url(zhang)))
    client = client_for("worker_b")
    assert client.get(care_url(zhang)).status_code == 404
    assert client.post(care_url(zhang), {**data, "door_hours": "1"}).status_code == 404
    assert snapshot(zhang) == before


@pytest.mark.parametrize("who", ["resident", "auditor"])
def test_residents_and_auditors_are_refused(devices, client_for, who):
    zhang, before = devices["zhang"], snapshot(devices["zhang"])
    data = as_posted(client_for("worker_a").get(care_url(zhang)))
    client = client_for(who)
    assert client.get(care_url(zhang)).status_code == 404
    assert client.post(care_url(zhang), {**data, "door_hours": "1"}).status_code == 404
    assert snapshot(zhang) == before


def test_anonymous_is_sent_to_login_and_changes_nothing(devices, client_for):
    zhang, before = devices["zhang"], snapshot(devices["zhang"])
    data = as_posted(client_for("worker_a").get(care_url(zhang)))
    response = client_for(None).post(care_url(zhang), {**data, "door_hours": "1"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert snapshot(zhang) == before


def test_the_command_centre_sees_the_page_but_may_not_save(devices, area, client_for):
    from gridgov.accounts.enums import Role
    from gridgov.accounts.models import User

    zhang, before = devices["zhang"], snapshot(devices["zhang"])
    centre = User.objects.create_user(username="centre", role=Role.COMMAND_CENTRE, area=area["street"])
    client = client_for(None)
    client.force_login(centre)
    page = client.get(care_url(zhang))
    html = page.content.decode()
    assert page.status_code == 200 and 'class="bare" disabled' in html and "保存关爱设置" not in html
    assert "您的角色只能查看关爱设置" in html
    assert client.post(care_url(zhang), {**as_posted(page), "door_hours": "1"}).status_code == 403
    assert snapshot(zhang) == before


def test_the_pages_link_to_the_care_settings(devices, client_for):
    zhang, client = devices["zhang"], client_for("worker_a")
    link = f'href="{care_url(zhang)}"'
    assert link in client.get(f"/sensors/devices/{devices['door'].pk}/").content.decode()
    assert link in client.get(f"/people/residents/{zhang.pk}/").content.decode()
    assert "门磁 24 小时；水表 12 小时 0.01 m³；红外 24 小时；紧急联系人 2 位" in client.get(
        f"/sensors/devices/{devices['door'].pk}/").content.decode()


SETTING_ERRORS = [
    ({"door_hours": "0"}, "door_hours", "未开门预警时长须为 1 到 168 之间的整数（小时）"),
    ({"door_hours": "一天"}, "door_hours", "未开门预警时长须为 1 到 168 之间的整数（小时）"),
    ({"door_hours": ""}, "door_hours", "请填写未开门预警时长"),
    ({"water_hours": "169"}, "water_hours", "用水统计时长须为 1 到 168 之间的整数（小时）"),
    ({"water_min_m3": "-0.01"}, "water_min_m3", "最低用水量须在 0 到 10 m³ 之间"),
    ({"water_min_m3": "11"}, "water_min_m3", "最低用水量须在 0 到 10 m³ 之间"),
    ({"water_min_m3": "0.0001"}, "water_min_m3", "最低用水量最多保留 3 位小数（m³）"),
    ({"water_min_m3": "少量"}, "water_min_m3", "最低用水量须为数字（m³），例如 0.01"),
    ({"motion_hours": "-3"}, "motion_hours", "无活动预警时长须为 1 到 168 之间的整数（小时）"),
    ({"quiet_start": "22:00"}, "quiet_end", "请同时填写免打扰结束时间（或把开始时间也清空）"),
    ({"quiet_end": "07:00"}, "quiet_start", "请同时填写免打扰开始时间（或把结束时间也清空）"),
    ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "免打扰结束时间不能与开始时间相同"),
    ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start", "免打扰开始时间格式应为 时:分，例如 22:00"),
    ({"version": "2000-01-01T00:00:00+00:00"}, "__all__", "该居民的关爱设置已被他人修改，请刷新页面后重新填写"),
]


@pytest.mark.parametrize("changes, field, message", SETTING_ERRORS)
def test_a_bad_setting_is_named_next_to_its_field_and_nothing_is_saved(devices, client_for, changes, field,
                                                                        message):
    zhang, before = devices["zhang"], snapshot(devices["zhang"])
    response = post_care(client_for("worker_a"), zhang, **changes, **{"c1-name": "张伟伟"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "有 1 处需要修改，尚未保存任何更改" in html
    assert html.count(message) == (1 if field == "__all__" else 2)     # in the summary, and next to its field
    assert snapshot(zhang) == before


CONTACT_ERRORS = [
    ({"c1-phone": "12345"}, 0, "phone", "第 1 行联系人的电话须为 7–12 位数字（手机或含区号的座机）"),
    ({"c2-phone": "1370000111x"}, 1, "phone", "第 2 行联系人的电话须为 7–12 位数字（手机或含区号的座机）"),
    ({"c1-name": ""}, 0, "name", "第 1 行联系人：请填写姓名"),
    ({"c1-name": "张" * 51}, 0, "name", "第 1 行联系人的姓名不能超过 50 个字"),
    ({"c2-role": ""}, 1, "role", "第 2 行联系人：请选择身份"),
    ({"c2-role": "boss"}, 1, "role", "第 2 行联系人的身份无效，请从列表中选择"),
    ({"c3-name": "王楼长", "c3-role": "steward"}, 2, "phone", "第 3 行联系人：请填写电话"),
    ({"c2-order": "1"}, 1, "order", "第 2 行联系人的顺序 1 与第 1 行联系人重复"),
    ({"c1-order": "0"}, 0, "order", "第 1 行联系人的顺序须为 1 到 10 之间的整数"),
    ({"c1-order": ""}, 0, "order", "第 1 行联系人：请填写顺序"),
]


@pytest.mark.parametrize("changes, row, field, message", CONTACT_ERRORS)
def test_a_bad_contact_is_named_next_to_its_field_and_nothing_is_saved(devices, client_for, changes, row, field,
                                                                        message):
    zhang, before = devices["zhang"], snapshot(devices["zhang"])
    response = post_care(client_for("worker_a"), zhang, door_hours="48", **changes)
    assert response.status_code == 200
    assert response.context["contacts"].forms[row].errors[field] == [message]
    assert message in response.content.decode()
    assert snapshot(zhang) == before


def test_a_contact_of_another_resident_cannot_be_slipped_in(devices, client_for):
    """A row naming a contact that is not this resident's would copy its phone: refused."""
    li = devices["li"]
    stranger = CareProfile.objects.get(resident=devices["zhang"]).contacts.get(order=1)
    response = post_care(client_for("community_staff"), li, **{"c1-contact": str(stranger.pk), "c1-name": "张伟"})
    assert response.context["contacts"].forms[0].non_field_errors() == [
        "第 1 行联系人已被他人修改或删除，请刷新页面后重新填写"]
    assert snapshot(li) is None
