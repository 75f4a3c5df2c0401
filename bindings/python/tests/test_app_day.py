"""User story (issue 23): a technician's day driven only through the app's events, against the
real library and a real `doorstep serve`, as the Android and iOS shells will drive it: enroll on
the Enroll screen, sync, read Today in Chinese and in English, open a household, and the office
sees when the urgent order reached the phone; inspect the household item by item with a photo
and two signatures and find a major hazard, so that sealing opens a follow-up order and shuts the
gas off; a repair crew on a second phone accepts the office's pipeline fault, goes, checks in
and closes it with its form and a charge; a special-group registration; the outage notice
posted at the building. After each sync the office holds what the phone did.

Each step is one function, so the day reads top to bottom."""

import datetime
import json
import os

import pytest

from app_driver import CAMERA_JPEG, Event, FormEvent, Phone
from test_app_papers import announce_an_outage, post_the_notice_at_the_building


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def enrolled(doorstep, office, folder, lang, technician=None):
    phone = Phone.open(folder, lang=lang, now=now_iso())
    enroll = phone.on("ENROLL")
    assert enroll.server.value == "" and enroll.submit.label
    phone.enroll(office.url, office.admin("enroll", technician or office.technician))
    return phone


def record(office, entity, key=None):
    """The office's copy of a record (the core's JSON), by its business key; or every record of
    the entity when no key is given."""
    with office.db() as conn:
        if key is None:
            rows = conn.execute("SELECT body FROM records WHERE entity = ?", (entity,)).fetchall()
            return [json.loads(body) for (body,) in rows]
        [(body,)] = conn.execute(
            "SELECT body FROM records WHERE entity = ? AND key = ?", (entity, key)
        ).fetchall()
        return json.loads(body)


def test_an_inspectors_and_a_crews_day_driven_only_through_the_apps_events(doorstep, office, tmp_path):
    phone = enrolled(doorstep, office, tmp_path / "phone", doorstep.Language.ZH)

    # Enrolled: Today, and the first sync the core asked for has run.
    assert phone.syncs == 1
    today = phone.on("TODAY")
    assert today.title == "今日工作"
    assert "周建国" in today.technician and "HZ1024" in today.technician
    assert not phone.screen.can_go_back, "Today is the first screen: Back leaves the app"
    order_line = next(line for line in today.lines if line.order_id is not None)
    assert office.order_number in order_line.title
    assert "文三路88号" in order_line.address
    assert order_line.accessibility, "every line has its label for the screen reader"
    households = {line.household_id for line in today.lines if line.household_id}
    assert households, "the office's households are on the phone"

    # The same screen in English.
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    today = phone.on("TODAY")
    assert today.title == "Today"
    assert "badge HZ1024" in today.technician
    assert office.order_number in next(line for line in today.lines if line.order_id).title
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))

    # Five minutes on, the core asks for a sync by itself (no push service on Chinese phones):
    # that pull's cursor tells the server the order reached the phone.
    phone.tick(5)
    assert phone.syncs == 2
    delivery = office.admin("order", "delivery", office.order_number).splitlines()
    assert delivery[1].startswith("reached_phone\t20"), delivery
    assert delivery[2] == "accepted\t-\tnot yet", delivery
    assert office.count("SELECT count(*) FROM devices") == 1

    open_a_household(doorstep, phone, order_line.household_id)
    inspect_and_find_a_major_hazard(doorstep, office, phone, order_line.household_id)
    a_crew_repairs_a_pipeline_fault(doorstep, office, tmp_path / "crew phone")
    register_a_special_group_household(doorstep, office, phone, order_line.household_id)
    post_an_outage_notice(doorstep, office, phone)


def open_a_household(doorstep, phone, household_id):
    """From Today to the household's file, and Back."""
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_HOUSEHOLD(id=household_id)))
    household = phone.on("HOUSEHOLD")
    assert phone.screen.can_go_back and phone.screen.back_label == "返回"
    assert household.title
    phone.back()
    phone.on("TODAY")


def inspect_and_find_a_major_hazard(doorstep, office, phone, household_id):
    """The inspection started from the household's actions, answered item by item; the leak
    test fails (a major hazard: a photo, the advice); both signatures; sealed. The household
    then shows the follow-up order and the shut-off; after the sync the office holds them."""
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_HOUSEHOLD(id=household_id)))
    household = phone.on("HOUSEHOLD")
    assert household.supply.status == "正常供气" and not household.supply.off
    [start] = [s for s in household.form_starts if s.template_id == "residential_inspection"]
    assert start.action.enabled and start.action.label.startswith("新建：")
    phone.send(Event.HOUSEHOLD(start.event))
    form = phone.on("FORM")
    assert form.title == "居民用户入户安全检查表"
    assert form.subtitle.startswith("HZ-0001 · ")
    assert form.progress.label.startswith("必填项已完成 0/")
    assert not form.seal.enabled and form.seal.disabled_reason.startswith("还有 ")

    # The leak test fails: a major hazard, which wants a photo and the advice.
    phone.form(FormEvent.CHECK(item="leak_test", mark=doorstep.FormCheckMark.FAIL))
    leak = phone.items()["leak_test"]
    assert leak.value == "不合格"
    assert leak.kind.hazard == "不合格即为重大隐患"
    assert "不合格项须拍照留证" in leak.problems and "不合格项须填写整改意见" in leak.problems
    assert leak.take_photo.enabled
    phone.photo = CAMERA_JPEG
    phone.form(FormEvent.TAKE_PHOTO(item="leak_test"))
    assert phone.photos_taken == 1
    leak = phone.items()["leak_test"]
    [photo] = leak.photos
    assert photo.path and os.path.getsize(photo.path) > 0, "the thumbnail the shell draws"
    assert photo.accessibility and photo.remove.label
    phone.form(FormEvent.ADVICE(item="leak_test", text="灶前阀漏气，已关闭表前阀，请更换灶前阀后报修恢复供气"))
    assert phone.items()["leak_test"].problems == []

    # Everything else passes; the customer and the inspector sign on the Signature screen,
    # which keeps the screen on while it is open.
    phone.answer_everything()
    phone.form(FormEvent.SIGN(item="customer_signature"))
    pad = phone.on("SIGNATURE")
    assert pad.title == "用户签名" and pad.signer_name == "张伟"
    assert pad.form_title == "居民用户入户安全检查表"
    assert pad.pad_hint == "请用户在此处签字"
    assert not pad.accept.enabled and pad.accept.disabled_reason
    assert any(e.is_KEEP_SCREEN_ON() and e.on for e in phone.done)
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    assert phone.on("SIGNATURE").title == "Customer signature"
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))
    phone.send(Event.SIGNATURE(doorstep.SignatureEvent.CANCEL()))
    assert phone.on("FORM").sealed is None
    form = phone.sign_everything()
    items = phone.items()
    assert items["customer_signature"].value.startswith("张伟 已签 今天 "), items["customer_signature"].value
    assert items["technician_signature"].value.startswith("周建国 已签 今天 ")
    assert form.seal.enabled, (form.seal, form.form_problems)
    assert form.progress.answered == form.progress.required

    phone.form(FormEvent.SEAL())
    assert phone.screen.notice.text == "已签封"
    sealed = phone.on("FORM").sealed
    assert sealed.digest.startswith("封存码 ") and len(sealed.digest) == len("封存码 ") + 12
    assert "已为重大隐患开复查工单" in sealed.consequences, sealed.consequences
    assert any(c.startswith("当场停气（不合格项：各接头及燃气设施无泄漏") for c in sealed.consequences)
    assert [c.open.label for c in sealed.copies] == ["上门服务记录", "隐患整改通知书"]
    assert not phone.items()["leak_test"].editable, "a sealed form is read only"
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    sealed = phone.on("FORM").sealed
    assert "follow-up order opened for a major hazard" in sealed.consequences, sealed.consequences
    assert phone.items()["leak_test"].value == "Fail"
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))

    # Back on the household: shut off for the hazard, the follow-up order on its timeline.
    phone.back()
    household = phone.on("HOUSEHOLD")
    assert household.supply.status == "已停气" and household.supply.off
    assert household.supply.detail.startswith("原因：安全隐患"), household.supply.detail
    kinds = {badge.kind for badge in household.badges}
    assert {doorstep.BadgeKind.HAZARD, doorstep.BadgeKind.SHUT_OFF} <= kinds, household.badges
    orders = [line for line in household.timeline if line.kind == doorstep.TimelineKind.ORDER]
    assert len(orders) >= 2, "the office's fault and the follow-up order"
    assert any(line.kind == doorstep.TimelineKind.FORM for line in household.timeline)
    offered = {s.template_id for s in household.form_starts}
    assert "reconnection" in offered and "residential_inspection" not in offered
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    assert phone.on("HOUSEHOLD").supply.status == "shut off"
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))

    # Pulled to sync on Today: the office holds the sealed form, its photo, the order, the shut-off.
    phone.back()
    syncs = phone.syncs
    phone.send(Event.TODAY(doorstep.TodayEvent.PULL_TO_SYNC()))
    assert phone.syncs == syncs + 1
    today = phone.on("TODAY")
    assert today.sync.waiting_count == 0 and today.sync.photos is None, today.sync
    [inspection] = [f for f in record(office, "form") if f["template_id"] == "residential_inspection"]
    assert inspection["seal"] is not None
    assert sorted(inspection["signatures"]) == ["customer_signature", "technician_signature"]
    [evidence] = inspection["photos"]["leak_test"]
    assert office.count("SELECT count(*) FROM photos WHERE sha256 = ? AND complete", evidence["sha256"]) == 1, "the photo uploaded whole"
    leak = inspection["answers"]["leak_test"]["value"]
    assert leak["result"] == "fail" and leak["advice"].startswith("灶前阀漏气")
    assert record(office, "household", "HZ-0001")["supply"]["status"] == "shut_off"
    follow_ups = [o for o in record(office, "work_order") if o["number"] != office.order_number]
    [follow_up] = follow_ups
    assert follow_up["household_id"] == household_id
    assert follow_up["kind"] == "inspection" and follow_up["source"] == "visit"
    assert follow_up["description"].startswith("重大隐患复查（不合格项：各接头及燃气设施无泄漏")


def a_crew_repairs_a_pipeline_fault(doorstep, office, folder):
    """A repair technician of the crew, on a phone of their own: the office opens a pipeline
    fault for them; they accept it, go, check in at the door and close it with the repair form
    and a charge; after the sync the office holds the order resolved and the charge."""
    crew_technician = office.admin(
        "technician", "add", "--badge", "HZ2048", "--name", "李强", "--role", "repair_technician",
        "--crew", office.crew, "--district", office.district,
    )
    number = "GZ-20261207-101"
    office.admin(
        "order", "create", "--number", number, "--kind", "pipeline_fault", "--source", "phone",
        "--household", "HZ-0002", "--assignee", crew_technician, "--description", "表前阀处有燃气味",
    )
    crew = enrolled(doorstep, office, folder, doorstep.Language.ZH, crew_technician)
    today = crew.on("TODAY")
    assert "李强" in today.technician
    [line] = [line for line in today.lines if line.order_id and number in line.title]
    # The first sync brought an urgent order: a notification; tapping it opens the order.
    [notify] = [n for n in crew.notified if n.link == f"doorstep://order/{line.order_id}"]
    assert notify.urgent and notify.title.startswith("紧急工单：管网故障"), notify.title
    assert number in notify.body and "表前阀" not in notify.body, "no address, no person, no detail"
    crew.send(Event.OPEN_LINK(link=notify.link))
    order = crew.on("WORK_ORDER")
    assert number in order.title and "管网故障" in order.title
    assert order.countdowns and all(c.due.startswith("须在 ") for c in order.countdowns), order.countdowns
    Order = doorstep.OrderEvent

    crew.tap(Order.ACCEPT)
    assert crew.screen.notice.kind == doorstep.NoticeKind.DONE
    crew.tap(Order.ON_THE_WAY)
    crew.position = (30.2711, 120.1211, 6.0)  # at the door of 502
    crew.tap(Order.CHECK_IN)
    order = crew.on("WORK_ORDER")
    statuses = [step.status for step in order.steps]
    assert statuses[-3:] == ["已接单", "在途", "已到场"], statuses
    assert all(step.by == "本机" for step in order.steps[-3:])

    crew.tap(Order.CLOSE)
    form = crew.on("FORM")
    assert form.title == "维修工单完工单"
    crew.form(FormEvent.CHARGES(
        item="charges",
        lines=[doorstep.FormChargeLine(item="更换表前阀", quantity=1, unit_price_fen=8000),
               doorstep.FormChargeLine(item="软管(米)", quantity=2, unit_price_fen=1200)],
        method=doorstep.PaymentMethod.WECHAT_PAY,
        receipt="R-20261207-31",
    ))
    assert crew.items()["charges"].value == "共 ¥104.00"
    crew.answer_everything(
        choose={"repair_result": "repaired", "fault_category": "valve"},
        texts={
            "fault_found": "表前阀阀芯密封圈老化，检漏仪报警", "cause": "阀门老化",
            "work_done": "更换表前阀及两米软管，检漏合格", "parts_used": "表前阀1只，软管2米",
            "charge_note": "按公示价格收费",
        },
    )
    form = crew.sign_everything()
    assert form.seal.enabled, (form.seal, form.form_problems)
    crew.form(FormEvent.SEAL())
    sealed = crew.on("FORM").sealed
    assert any(number in c and "已处理完毕" in c for c in sealed.consequences), sealed.consequences
    assert "收费凭证" in [c.open.label for c in sealed.copies]
    crew.back()
    order = crew.on("WORK_ORDER")
    assert order.steps[-1].status == "已处理完毕", [s.status for s in order.steps]
    assert [c.item for c in order.charges] == ["更换表前阀", "软管(米)"]
    assert order.charges_total == "合计 ¥104.00", order.charges_total
    crew.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    order = crew.on("WORK_ORDER")
    assert order.steps[-1].status == "resolved"
    assert "pipeline fault" in order.title.lower()
    crew.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))

    crew.back()
    crew.send(Event.TODAY(doorstep.TodayEvent.PULL_TO_SYNC()))
    steps = [step["status"] for step in record(office, "work_order", number)["steps"]]
    assert steps == ["new", "dispatched", "accepted", "en_route", "on_site", "resolved"], steps
    [closing] = [f for f in record(office, "form") if f["template_id"] == "repair_closing"]
    charges = closing["answers"]["charges"]["value"]
    assert charges["receipt"] == "R-20261207-31" and charges["collected_by"] == crew_technician
    assert sum(l["quantity"] * l["unit_price_fen"] for l in charges["lines"]) == 10400


def register_a_special_group_household(doorstep, office, phone, household_id):
    """The registration form on a household not registered yet, sealed and synced: the file
    shows the registration, and so does the office's."""
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_HOUSEHOLD(id=household_id)))
    household = phone.on("HOUSEHOLD")
    assert household.special_group is None
    [start] = [s for s in household.form_starts if s.template_id == "special_group_registration"]
    phone.send(Event.HOUSEHOLD(start.event))
    assert phone.on("FORM").title.startswith("特殊")
    phone.answer_everything(
        choose={
            "groups": ["elderly", "disabled"], "living_situation": "alone", "registered_by": "family",
            "has_contact": "yes", "service_preferences": ["priority_repair", "call_before_visit"],
            "preferred_time": "morning",
        },
        texts={
            "needs": "行动不便，上门前请先电话联系", "contact_name": "张小伟",
            "contact_relation": "儿子", "contact_phone": "13800001111", "remarks": "独居，子女每周探望",
        },
    )
    form = phone.sign_everything()
    assert form.seal.enabled, (form.seal, form.form_problems)
    phone.form(FormEvent.SEAL())
    assert phone.on("FORM").sealed is not None
    phone.back()
    household = phone.on("HOUSEHOLD")
    group = household.special_group
    assert group is not None
    assert "老年人" in group.groups and "残疾人" in group.groups, group.groups
    assert "张小伟" in group.contact
    assert doorstep.BadgeKind.SPECIAL_GROUP in {b.kind for b in household.badges}
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    group = phone.on("HOUSEHOLD").special_group
    assert "elderly" in group.groups and "disabled" in group.groups
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))
    phone.back()
    phone.send(Event.TODAY(doorstep.TodayEvent.PULL_TO_SYNC()))
    registration = record(office, "household", "HZ-0001")["special_group"]
    assert registration is not None and "elderly" in json.dumps(registration), registration


def post_an_outage_notice(doorstep, office, phone):
    """The office's outage reaches the phone at its sync; the notice posted at the building
    (test_app_papers.py's step, on this phone), in English too."""
    outage = announce_an_outage(office)
    phone.send(Event.TODAY(doorstep.TodayEvent.PULL_TO_SYNC()))
    today = phone.on("TODAY")
    assert today.outages, "the outage's banner on Today"
    # 501 (HZ-0001) is shut off for its hazard since the morning: the outage cuts off 502 only.
    post_the_notice_at_the_building(doorstep, office, phone.app, outage, households=[("HZ-0002", "502室")])
    phone.screen = phone.app.screen()
    phone.on("OUTAGE")
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    outage_screen = phone.on("OUTAGE")
    assert outage_screen.progress == "1 of 1 buildings told", outage_screen.progress
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.ZH))

def test_an_event_for_another_screen_is_refused_and_changes_nothing(doorstep, tmp_path):
    phone = Phone.open(tmp_path / "phone", now=now_iso())
    before = phone.app.screen()
    assert before.body.is_ENROLL()
    with pytest.raises(doorstep.DoorstepError.WrongScreen) as e:
        phone.send(Event.TODAY(doorstep.TodayEvent.REFRESH()))
    assert e.value.screen == "enroll"
    assert phone.app.screen() == before
    with pytest.raises(doorstep.DoorstepError.Unanswerable):
        phone.send(Event.PHOTO_TAKEN(request=99))
    assert phone.app.screen() == before


def test_the_clock_is_set_only_on_an_app_opened_for_tests(doorstep, tmp_path):
    phone = Phone.open(tmp_path / "phone", now="2026-12-07T08:30:00+08:00")
    assert phone.app.now_iso().startswith("2026-12-07T00:30:00")
    phone.app.advance_minutes(90)
    assert phone.app.now_iso().startswith("2026-12-07T02:00:00")
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        phone.app.set_time("tomorrow morning")
    assert e.value.field == "now_iso"
    real = doorstep.DoorstepApp.open(str(tmp_path / "real"), doorstep.generate_store_key(), doorstep.Language.ZH, "x")
    with pytest.raises(doorstep.DoorstepError.InvalidInput):
        real.advance_minutes(5)
