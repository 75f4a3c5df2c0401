"""User stories: the technician changes work orders from the phone, with the core's rules, and
the service center sees it. A hazard found on a visit opens an order on the spot (its clock
from that moment, on the district's targets); the user asks for the evening and a relative
agrees to it; a fault found worse than reported is raised to major on site; an order that is not
the technician's to do is handed back with a reason and leaves the list. Bad input is refused
with the field named, and stores nothing. Against the real library and a real `doorstep serve`."""

import datetime
import json

import pytest

import field


def order_on_server(office, number):
    with office.db() as conn:
        body = conn.execute(
            "SELECT body FROM records WHERE entity = 'work_order' AND key = ?", (number,)
        ).fetchone()[0]
    return json.loads(body)


def test_a_technician_opens_raises_reschedules_and_hands_back_orders_from_the_field(doorstep, office, tmp_path):
    office.admin("district", "policy", office.district, "--set", "major_on_site=20m")
    phone = office.enrolled_phone(tmp_path / "phone")
    phone.sync(None)
    hit = phone.search_households("HZ-0002", 5)[0]

    # A leaking hose found at the door: an order opened on the spot, the clock from now.
    before = datetime.datetime.now(datetime.timezone.utc)
    opened = phone.open_work_order(
        doorstep.WorkOrderKind.USER_EQUIPMENT_FAULT, hit.id, "软管老化漏气", field.AT_THE_DOOR, None
    )
    assert opened.number.startswith("YD-")
    assert opened.assignee == office.technician
    assert opened.reported_at >= before - datetime.timedelta(seconds=1)
    [clock] = opened.deadlines
    assert clock.milestone == doorstep.Milestone.EQUIPMENT_ON_SITE
    assert clock.due_at - opened.reported_at == datetime.timedelta(minutes=60)

    # The user asks for the evening; their daughter agrees on the phone.
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    evening = doorstep.AppointmentWindow(
        start=now + datetime.timedelta(hours=8), end=now + datetime.timedelta(hours=9)
    )
    moved = phone.change_work_order_appointment(
        opened.id, evening, doorstep.AppointmentConsent.CONTACT(name="女儿"), now
    )
    assert moved.appointment == evening
    assert moved.deadlines[0].due_at == evening.end
    backwards = doorstep.AppointmentWindow(start=evening.end, end=evening.end - datetime.timedelta(hours=1))
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        phone.change_work_order_appointment(opened.id, backwards, doorstep.AppointmentConsent.USER(), now)
    assert e.value.field == "work_order.appointment.window"
    assert phone.work_order(opened.id) == moved, "a refused change stores nothing"

    # The office's pipeline fault turns out to be a broken main: raised to major on site.
    work = phone.work_list(field.AT_THE_DOOR)
    fault_id = next(
        w.task.work_order_id for w in work
        if isinstance(w.task, doorstep.WorkTask.ORDER) and w.task.kind == doorstep.WorkOrderKind.PIPELINE_FAULT
    )
    raised = phone.raise_work_order_class(fault_id, "主管断裂，需疏散")
    assert raised.fault_class == doorstep.FaultClass.MAJOR
    milestones = [d.milestone for d in raised.deadlines]
    assert doorstep.Milestone.EMERGENCY_ON_SITE in milestones
    assert doorstep.Milestone.LEADERSHIP_REPORT in milestones
    emergency = next(d for d in raised.deadlines if d.milestone == doorstep.Milestone.EMERGENCY_ON_SITE)
    # The office opened it before the district set 20 minutes: it keeps the 30 it was stamped with.
    assert datetime.timedelta(minutes=29) < emergency.due_at - now <= datetime.timedelta(minutes=31), \
        "the order's own 30 minutes, from the raise"

    # The evening call is not this technician's to do after all: handed back, with a reason.
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        phone.hand_back_work_order(opened.id, "   ")
    assert e.value.field == "work_order.hand_back.reason"
    back = phone.hand_back_work_order(opened.id, "需燃气具厂家维修")
    assert back.assignee is None
    listed = [w.task.work_order_id for w in phone.work_list(field.AT_THE_DOOR) if isinstance(w.task, doorstep.WorkTask.ORDER)]
    assert opened.id not in listed
    assert fault_id in listed

    phone.sync(None)
    on_server = order_on_server(office, opened.number)
    assert on_server.get("assignee") is None
    assert on_server["hand_backs"][0]["reason"] == "需燃气具厂家维修"
    assert on_server["appointment_changes"][0]["agreed_by"] == {"agreed": "contact", "name": "女儿"}
    assert on_server["targets"]["major_on_site"] == 1200, "stamped with the district's policy"
    clocks = office.admin("order", "deadlines", office.order_number)
    assert "emergency_on_site" in clocks and "leadership_report" in clocks, clocks


def test_special_group_service_lines_say_why_they_come_first(doorstep):
    reason = doorstep.WorkReason.SPECIAL_GROUP(
        milestone=doorstep.Milestone.SPECIAL_GROUP_VISIT,
        due_at=datetime.datetime(2026, 11, 28, 15, 0, tzinfo=datetime.timezone.utc),
        breached=False,
    )
    assert doorstep.describe_work_reason(reason, doorstep.Language.ZH).startswith("特殊群体优先")
    assert doorstep.describe_work_reason(reason, doorstep.Language.EN) == \
        "Special group first: home visit due by 11-28 23:00"
