"""The technician's side of the story, through the real bindings: the bindings' `Phone` drives
the app layer (the screens the Android shell draws) by its events only, as in
bindings/python/tests/test_app_day.py."""

import datetime

import doorstep

from app_driver import CAMERA_JPEG, Event, FormEvent, Phone

Order = doorstep.OrderEvent


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def enrolled_phone(office, folder, technician):
    """A new installation, enrolled on the Enroll screen with a fresh code for `technician`;
    its first sync has run."""
    phone = Phone.open(folder, lang=doorstep.Language.ZH, now=now_iso())
    phone.enroll(office.url, office.admin("enroll", technician))
    phone.on("TODAY")
    return phone


def catch_up(phone):
    """The phone's clock (fixed for tests, moved only by the test) set to the real time, the
    server's: what the office did a moment ago is not in the phone's future."""
    phone.app.set_time(now_iso())


def to_today(phone):
    for _ in range(6):
        if phone.screen.body.is_TODAY():
            return phone.on("TODAY")
        phone.back()
    return phone.on("TODAY")


def pull_to_sync(phone):
    """Back to Today, and pulled to sync."""
    catch_up(phone)
    to_today(phone)
    syncs = phone.syncs
    phone.send(Event.TODAY(doorstep.TodayEvent.PULL_TO_SYNC()))
    assert phone.syncs == syncs + 1
    return phone.on("TODAY")


def open_order(phone, number):
    """Today's line of the order `number`, tapped."""
    today = phone.on("TODAY")
    lines = [line for line in today.lines if line.order_id and number in line.title]
    assert lines, f"{number} is not on Today: {[line.title for line in today.lines]}"
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_ORDER(id=lines[0].order_id)))
    order = phone.on("WORK_ORDER")
    assert number in order.title
    return order


def work_the_order(phone, number, household_position):
    """Accepts the order, goes, checks in at the door, and closes it with the repair form: a
    photo of the work done, every item answered, both signatures, sealed; back to Today."""
    open_order(phone, number)
    phone.tap(Order.ACCEPT)
    phone.tap(Order.ON_THE_WAY)
    phone.position = household_position
    phone.tap(Order.CHECK_IN)
    phone.tap(Order.CLOSE)
    form = phone.on("FORM")
    assert form.title == "维修工单完工单", form.title
    phone.answer_everything(
        choose={"repair_result": "repaired", "fault_category": "valve"},
        texts={
            "fault_found": "表前阀阀芯密封圈老化，检漏仪报警", "cause": "阀门老化",
            "work_done": "更换表前阀，检漏合格", "parts_used": "表前阀1只",
        },
    )
    # The fee collected at the door: a part, paid in cash, with its receipt.
    phone.form(FormEvent.CHARGES(
        item="charges",
        lines=[doorstep.FormChargeLine(item="更换表前阀", quantity=1, unit_price_fen=8000)],
        method=doorstep.PaymentMethod.CASH,
        receipt="R-20261207-31",
    ))
    assert phone.items()["charges"].value == "共 ¥80.00", phone.items()["charges"].value
    # The photo of the work done (the item shows once the result is chosen).
    phone.photo = CAMERA_JPEG
    phone.form(FormEvent.TAKE_PHOTO(item="photos_after"))
    assert len(phone.items()["photos_after"].photos) == 1
    form = phone.sign_everything()
    assert form.seal.enabled, (form.seal, form.form_problems)
    phone.form(FormEvent.SEAL())
    sealed = phone.on("FORM").sealed
    assert sealed is not None
    phone.back()
    order = phone.on("WORK_ORDER")
    assert order.steps[-1].status == "已处理完毕", [s.status for s in order.steps]
    return sealed


def edit_phone_number(phone, household_id, number):
    """The household's first phone number corrected on the phone (offline: no sync)."""
    catch_up(phone)
    to_today(phone)
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_HOUSEHOLD(id=household_id)))
    phone.on("HOUSEHOLD")
    phone.send(Event.HOUSEHOLD(doorstep.HouseholdEvent.EDIT_CONTACT()))
    phone.on("ACTION")
    phone.send(Event.ACTION(doorstep.ActionEvent.SET_TEXT(field=doorstep.ActionField.PHONE(index=0), text=number)))
    phone.send(Event.ACTION(doorstep.ActionEvent.SUBMIT()))
    household = phone.on("HOUSEHOLD")
    assert number in [p.number for p in household.phones], household.phones
    return household


def household_phones(phone, household_id):
    """The phone numbers the household's screen shows on the phone; back to Today."""
    to_today(phone)
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_HOUSEHOLD(id=household_id)))
    phones = [p.number for p in phone.on("HOUSEHOLD").phones]
    phone.back()
    return phones
