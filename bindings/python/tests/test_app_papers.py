"""User stories, driven only through the app's events (`DoorstepApp`): an inspector records the
outage notice posted at a building and the office sees it after the sync; a technician opens the
day's fees, then the customer's receipt of one, and prints it as one HTML file. Against the real
library and a real `doorstep serve`."""

import datetime

import field


def announce_an_outage(office):
    """The office announces a planned outage in the district, 30 hours ahead; its id."""
    starts = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=30)
    return office.admin(
        "outage", "create", "--title", "文三路管网检修", "--reason", "repair",
        "--starts", starts.isoformat(), "--ends", (starts + datetime.timedelta(hours=8)).isoformat(),
        "--district", office.district,
    )


def post_the_notice_at_the_building(doorstep, office, app, outage, households=(("HZ-0001", "501室"), ("HZ-0002", "502室"))):
    """On an app that has synced the outage: the Outage screen, the notice posted at the one
    building, synced, and the office sees its `households` (customer number, room; the ones the
    outage cuts off: a household already shut off is not) told. test_app_day.py's step too."""
    # The outage: one building, its households, none told yet.
    update = app.handle(doorstep.Event.OPEN_LINK(link=f"doorstep://outage/{outage}"))
    screen = update.screen.body[0]
    assert screen.progress == "已通知 0/1 栋"
    [building] = screen.buildings
    assert building.address == "西湖区文三路88号3栋2单元"
    assert [h.room for h in building.households] == [room for _, room in households]
    assert building.post_notice.enabled
    update = app.handle(doorstep.Event.OUTAGE(doorstep.OutageEvent.NOTICE_POSTED(building=building.key)))
    assert update.screen.notice.text == f"已记录张贴公告：{len(households)} 户已通知"
    assert update.screen.body[0].progress == "已通知 1/1 栋"
    app.run_sync(None)
    told = office.admin("outage", "households", outage).splitlines()
    assert [line.split("\t")[0] for line in told] == [number for number, _ in households]
    assert all(line.split("\t")[1].startswith("notice_posted ") for line in told), told


def test_a_notice_posted_at_a_building_and_a_receipt_printed_through_the_apps_events(doorstep, office, tmp_path):
    outage = announce_an_outage(office)
    # The phone enrolled and synced, a repair with a charge sealed on it (the store's own API).
    directory = tmp_path / "phone"
    key = doorstep.generate_store_key()
    store = doorstep.DeviceStore.open(str(directory), key)
    store.enroll(office.url, office.admin("enroll", office.technician), "test phone")
    store.sync(None)
    hit = store.search_households("HZ-0001", 5)[0]
    form = store.start_form("repair_closing", hit.id, None)
    charges = doorstep.ChargesValue(
        lines=[doorstep.ChargeLine(item="更换灶前阀", quantity=1, unit_price_fen=3500),
               doorstep.ChargeLine(item="软管(米)", quantity=2, unit_price_fen=1200)],
        method=doorstep.PaymentMethod.CASH,
        receipt="R-20261207-01",
        collected_by=office.technician,
    )
    store.answer(form.id, "charges", doorstep.AnswerValue.CHARGES(value=charges))
    field.fill(store, form, choose={"repair_result": "repaired"})
    store.sign(form.id, "customer_signature", field.signature(doorstep.SignerRole.CUSTOMER, "张伟"))
    store.sign(form.id, "technician_signature", field.signature(doorstep.SignerRole.TECHNICIAN, "周建国"))
    store.complete_form(form.id)
    store.close_store()

    app = doorstep.DoorstepApp.open(str(directory), key, doorstep.Language.ZH, "test phone")

    post_the_notice_at_the_building(doorstep, office, app, outage)

    # The day's fees, then the customer's receipt, printed.
    app.handle(doorstep.Event.BACK())
    update = app.handle(doorstep.Event.OPEN_LINK(link="doorstep://fees"))
    fees = update.screen.body[0]
    assert fees.total == "合计 ¥59.00"
    assert [(t.method, t.amount) for t in fees.hand_in] == [("现金", "¥59.00")]
    [collection] = fees.collections
    assert collection.receipt == "收据 R-20261207-01"
    update = app.handle(doorstep.Event.FEES(doorstep.FeesEvent.OPEN_RECEIPT(form_id=collection.form_id)))
    copy = update.screen.body[0]
    assert copy.title == "收费凭证"
    assert copy.print.enabled
    update = app.handle(doorstep.Event.COPY(doorstep.CopyEvent.PRINT))
    [effect] = update.effects
    assert effect.is_PRINT()
    assert effect.mime == "text/html"
    html = open(effect.path, encoding="utf-8").read()
    assert html.startswith("<!DOCTYPE html>")
    assert "R-20261207-01" in html and "人民币伍拾玖元整" in html and "周建国（HZ1024）" in html

    # The same screens in English.
    app.handle(doorstep.Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    assert app.screen().body[0].title == "Receipt"
