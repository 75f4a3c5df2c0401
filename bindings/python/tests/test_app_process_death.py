"""User story (issue 23): Android kills the app in the background; opened again, it shows the
same screen with the same input. Here the `DoorstepApp` object is dropped (nothing closed, as a
killed process closes nothing) and a new one opened on the same folder and key."""

import datetime

from app_driver import Event, Phone


def test_the_app_killed_on_the_enroll_screen_reopens_with_the_server_typed(doorstep, tmp_path):
    phone = Phone.open(tmp_path / "phone", now=datetime.datetime.now(datetime.timezone.utc).isoformat())
    phone.send(Event.ENROLL(doorstep.EnrollEvent.SET_SERVER(text="https://doorstep.hz-gas.example")))
    phone.send(Event.ENROLL(doorstep.EnrollEvent.SET_CODE(text="7K2Q-9XWD")))
    before = phone.app.screen()

    phone.reopen()

    after = phone.app.screen()
    assert after == before
    enroll = phone.on("ENROLL")
    assert enroll.server.value == "https://doorstep.hz-gas.example"
    assert enroll.code.value == "7K2Q-9XWD"


def test_the_app_killed_on_any_screen_reopens_on_it_with_its_language(doorstep, tmp_path):
    phone = Phone.open(tmp_path / "phone")
    phone.send(Event.SET_LANGUAGE(lang=doorstep.Language.EN))
    before = phone.app.screen()
    phone.reopen()
    assert phone.app.screen() == before
    assert phone.app.screen().back_label == "Back"
