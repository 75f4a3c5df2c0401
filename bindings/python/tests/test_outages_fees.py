"""User stories: a technician posts a planned outage's notice at a building and records it from
the phone for every household of the building, at once; at the end of the day the phone says
what was collected, by method, so the technician knows what to hand over (日清日结). Against
the real library and a real `doorstep serve`."""

import datetime

import field

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def test_a_technician_posting_a_notice_at_a_building_records_it_for_its_households(doorstep, office, tmp_path):
    starts = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=30)
    outage = office.admin(
        "outage", "create", "--title", "文三路管网检修", "--reason", "repair",
        "--starts", starts.isoformat(), "--ends", (starts + datetime.timedelta(hours=8)).isoformat(),
        "--district", office.district,
    )
    store = office.enrolled_phone(tmp_path / "phone")
    store.sync(None)
    building = store.outage_households(outage)
    assert sorted(h.customer_number for h in building) == ["HZ-0001", "HZ-0002"]

    # A household id that is not one: refused naming the field, nothing kept.
    try:
        store.record_outage_notices(outage, [building[0].id, "not-an-id"], doorstep.NotifiedHow.NOTICE_POSTED)
        raise AssertionError("a bad household id was accepted")
    except doorstep.DoorstepError.InvalidInput as e:
        assert e.field == "households[1]", e

    told = store.record_outage_notices(outage, [h.id for h in building], doorstep.NotifiedHow.NOTICE_POSTED)
    assert told == 2
    report = store.sync(None)
    assert report.rejected == 0
    households = office.admin("outage", "households", outage).splitlines()
    assert [line.split("\t")[0] for line in households] == ["HZ-0001", "HZ-0002"]
    assert all(line.split("\t")[1].startswith("notice_posted ") for line in households), households


def test_the_phone_shows_what_was_collected_today_by_method(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "phone")
    store.sync(None)
    hit = store.search_households("HZ-0001", 5)[0]
    form = store.start_form("repair_closing", hit.id, None)
    charges = doorstep.ChargesValue(
        lines=[doorstep.ChargeLine(item="更换灶前阀", quantity=1, unit_price_fen=3500),
               doorstep.ChargeLine(item="软管(米)", quantity=2, unit_price_fen=1200)],
        method=doorstep.PaymentMethod.WECHAT_PAY,
        receipt=None,
        collected_by=office.technician,
    )
    store.answer(form.id, "charges", doorstep.AnswerValue.CHARGES(value=charges))
    field.fill(store, form, choose={"repair_result": "repaired"})
    store.sign(form.id, "customer_signature", field.signature(doorstep.SignerRole.CUSTOMER, "张伟"))
    store.sign(form.id, "technician_signature", field.signature(doorstep.SignerRole.TECHNICIAN, "周建国"))
    # Money collected without a receipt number: the form says so, naming the field.
    problems = store.validate_form(form.id)
    assert [(p.item, p.kind.field) for p in problems] == [("charges", "charges.receipt")], problems

    charges.receipt = "WX-20261201-0007"
    store.answer(form.id, "charges", doorstep.AnswerValue.CHARGES(value=charges))
    store.sign(form.id, "customer_signature", field.signature(doorstep.SignerRole.CUSTOMER, "张伟"))
    store.sign(form.id, "technician_signature", field.signature(doorstep.SignerRole.TECHNICIAN, "周建国"))
    store.complete_form(form.id)

    today = datetime.datetime.now(BEIJING).date().isoformat()
    collected = store.collected_on(today)
    assert collected.total_fen == 5900
    assert [(m.method, m.total_fen) for m in collected.by_method] == [(doorstep.PaymentMethod.WECHAT_PAY, 5900)]
    assert collected.receipts == ["WX-20261201-0007"]
    try:
        store.collected_on("01/12/2026")
        raise AssertionError("a day in the wrong format was accepted")
    except doorstep.DoorstepError.InvalidInput as e:
        assert e.field == "day"
