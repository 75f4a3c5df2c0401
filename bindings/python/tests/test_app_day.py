"""User story (issue 23): a technician's day driven only through the app's events, against the
real library and a real `doorstep serve`, as the Android and iOS shells will drive it: enroll on
the Enroll screen, sync, read Today in Chinese and in English, open a household, and the office
sees when the urgent order reached the phone.

Each step is one function, so the day reads top to bottom and the later steps (a form with a
photo and two signatures, a hazard's follow-up, a repair closed with a charge, a special-group
registration: the other screens of issue 23) are added in the order of the day as their
screens land."""

import datetime

import pytest

from app_driver import Event, Phone


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def enrolled(doorstep, office, folder, lang):
    phone = Phone.open(folder, lang=lang, now=now_iso())
    enroll = phone.on("ENROLL")
    assert enroll.server.value == "" and enroll.submit.label
    phone.enroll(office.url, office.admin("enroll", office.technician))
    return phone


def test_an_inspector_enrolls_syncs_and_finds_the_offices_work_on_today(doorstep, office, tmp_path):
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


def open_a_household(doorstep, phone, household_id):
    """From Today to the household's file, and Back."""
    phone.send(Event.TODAY(doorstep.TodayEvent.OPEN_HOUSEHOLD(id=household_id)))
    household = phone.on("HOUSEHOLD")
    assert phone.screen.can_go_back and phone.screen.back_label == "返回"
    assert household.title
    phone.back()
    phone.on("TODAY")


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
