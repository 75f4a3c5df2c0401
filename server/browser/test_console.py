"""User stories (issue 26, "Must show"): the service center's console in a real browser, with a
technician's phone driven through the real bindings.

Each step is one function, so that the day reads top to bottom."""

from selenium.webdriver.common.by import By

from conftest import HEIGHT
from field_phone import edit_phone_number, enrolled_phone, pull_to_sync, work_the_order

# Where HZ-0002 (王秀英, 文三路88号 3幢2单元502) is: the technician checks in at its door.
AT_502 = (30.2711, 120.1211, 6.0)


def test_a_dispatcher_signs_in_with_the_keyboard_alone_and_reaches_the_board(console, office):
    console.go("/console/sign-in")
    console.check_page("sign-in")
    console.sign_in_by_keys(office.dispatcher_login, office.dispatcher_password)
    assert console.path.startswith("/console/board"), console.path
    assert "王芳" in console.find("header").text


def test_a_dispatcher_is_refused_on_an_administrators_page(console, office):
    console.sign_in(office.dispatcher_login, office.dispatcher_password)
    menu = console.find("nav.menu").text
    assert "/console/staff" not in [a.get_attribute("pathname") for a in console.find_all("nav.menu a")], menu
    assert console.status_of("/console/staff") == 403
    console.go("/console/staff")
    refusal = console.find("main").text
    assert "此账号无权查看或办理此项。" in refusal, refusal
    assert "This account may not see or do this." in refusal, "the refusal is in both languages"
    assert "王芳" not in refusal and "陈静" not in refusal, "the refusal shows none of the accounts"
    assert console.find_all("form[action='/console/staff']") == [], "no staff form drawn for a dispatcher"


def test_a_day_at_the_console_with_a_phone_in_the_field(console, office, tmp_path):
    """The administrator takes a repair call for a household found by part of its address,
    dispatches it to the repair technician on the board; the technician's phone syncs, works
    the order (its closing form with a photo and both signatures) and syncs again; the board
    shows it resolved; the household's file and its signed form with the photo's thumbnail; a
    conflict (the phone and the console edit the same phone number) resolved; an outage posted
    and two notifications recorded; every page in Chinese, then in English (remembered from page
    to page), each fitting the screen and labelled, kept as screenshots."""
    technician = office.admin(
        "technician", "add", "--badge", "HZ2048", "--name", "李强", "--role", "repair_technician",
        "--crew", office.crew, "--district", office.district,
    )
    phone = enrolled_phone(office, tmp_path / "phone", technician)
    pages = {}

    console.go("/console/sign-in")
    pages["sign-in"] = "/console/sign-in"
    console.check_page("sign-in")
    console.sign_in(office.admin_login, office.admin_password)

    every_page(console, pages, "zh")



# The pages of the menu, by the screenshot's name.
MENU_PAGES = {
    "calls": "/console/calls",
    "board": "/console/board",
    "inspections": "/console/inspections",
    "special-groups": "/console/special",
    "outages": "/console/outages",
    "complaints": "/console/complaints",
    "conflicts": "/console/conflicts",
    "settlement": "/console/settlement",
    "staff": "/console/staff",
}


def every_page(console, pages, lang):
    """Every page of the menu and every record's page met on the way (`pages`: name → path),
    opened in turn: each in `lang`, fitting the screen, its controls labelled, a screenshot."""
    for name, path in {**MENU_PAGES, **pages}.items():
        if name == "sign-in":
            continue
        console.go(path)
        assert console.status_of(path) == 200, f"{name}: {path}"
        assert console.lang.startswith(lang), f"{name} is drawn in {console.lang}, not {lang}"
        console.check_page(name)
