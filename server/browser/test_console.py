"""User stories (issue 26, "Must show"): the service center's console in a real browser, with a
technician's phone driven through the real bindings.

Each step is one function, so that the day reads top to bottom."""

import datetime
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from field_phone import edit_phone_number, enrolled_phone, household_phones, pull_to_sync, work_the_order

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
    console.check_page("refused")


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

    number, household_id = take_a_repair_call(console, "文三路88", "HZ-0002")
    pages["call"] = console.path
    dispatch_on_the_board(console, number, "李强", pages)

    # The phone: the order arrives at its sync; accepted, worked, closed with its form (a
    # photo, both signatures), sealed; synced again.
    pull_to_sync(phone)
    work_the_order(phone, number, AT_502)
    pull_to_sync(phone)
    the_board_shows_it_resolved(console, number)
    the_households_file_and_its_signed_form(console, household_id, number, pages)
    a_conflict_resolved(console, office, phone, household_id, pages)
    an_outage_posted_and_two_notifications_recorded(console, office, pages)
    a_complaint_call(console, "张伟", "HZ-0001", pages)
    pages["return-visit"] = first_link(console, "/console/complaints", "/console/return-visits/")
    # The technician's day of fees (the ¥80 collected on the form) waits to be settled.
    pages["settle-day"] = first_link(console, "/console/settlement", "/console/settlement/")

    every_page(console, pages, "zh")
    english_is_remembered(console)
    every_page(console, pages, "en")
    console.sign_out()
    console.go("/console/sign-in")
    assert console.lang == "en", "the choice outlives the session"
    console.check_page("sign-in")


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


def take_a_repair_call(console, typed, customer_number, dispatch_to=None):
    """On the Calls page: part of the address typed into the search box, the results arrive as
    one types (no page load); the household chosen; a repair call recorded as an order of the
    user's equipment, left for the board (or dispatched at once to `dispatch_to`). Returns the
    order's number (from the result page) and the household's id."""
    console.go("/console/calls")
    page = console.find("html")
    search = console.find("input[type=search][data-search]")
    search.send_keys(typed)
    rows = console.wait(
        f"the search results showing {customer_number}",
        lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#results tbody tr") if customer_number in r.text],
    )
    assert console.find("html") == page, "the results came without a page load"
    found = console.find("#results").text
    assert "文三路88号" in found and "王秀英" in found, found
    console.click_and_wait(rows[0].find_element(By.CSS_SELECTOR, "a"))
    assert customer_number in console.find("#call").text

    Select(console.find("select#kind")).select_by_value("repair")
    console.type_into(console.find("textarea#summary"), "灶前阀漏气，用户已关闭表前阀")
    console.find("input#becomes-order").click()
    Select(console.find("select#order_kind")).select_by_value("user_equipment_fault")
    dispatch = Select(console.find("select#dispatch"))
    if dispatch_to is None:
        dispatch.select_by_value("")  # left for the board
    else:
        [option] = [o for o in dispatch.options if dispatch_to in o.text]
        dispatch.select_by_value(option.get_attribute("value"))
    console.click_and_wait(console.find("#call button[type=submit]"))

    assert re.match(r"/console/calls/[^/?]+$", console.path), console.path
    to_board = console.find("main a[href^='/console/board?order=']")
    number = to_board.get_attribute("href").split("order=", 1)[1]
    assert number, "the result page names the order"
    household = console.find("main a[href^='/console/households/']").get_attribute("pathname")
    return number, household.rsplit("/", 1)[1]


def first_link(console, page, prefix):
    """The path of the first link under `prefix` on `page` (a record's own page)."""
    console.go(page)
    links = [
        a.get_attribute("pathname") + a.get_attribute("search")
        for a in console.find_all(f"main a[href^='{prefix}']")
    ]
    links = [link for link in links if link.split("?")[0].rstrip("/") != prefix.rstrip("/")]
    assert links, f"no link to {prefix} on {page}:\n{console.text()[:2000]}"
    return links[0]


def board_row(console, number):
    rows = console.find_all(f"tr[id='order-{number}']")
    return rows[0] if rows else None


def dispatch_on_the_board(console, number, technician_name, pages):
    """On the board the new order is open and not yet dispatched; its Dispatch link opens the
    order's dispatch page, where the repair technician is chosen; back on the board the order
    shows them."""
    console.go(f"/console/board?order={number}")
    row = board_row(console, number)
    assert row is not None, f"{number} is not on the board:\n{console.text()[:2000]}"
    assert row.get_attribute("aria-current") == "true", "the board highlights the order asked for"
    console.click_and_wait(row.find_element(By.CSS_SELECTOR, "a[href$='/assign']"))
    pages["dispatch"] = console.path
    console.check_page("dispatch")
    choose = Select(console.find("select#dispatch-to"))
    [option] = [o for o in choose.options if technician_name in o.text]
    choose.select_by_value(option.get_attribute("value"))
    console.click_and_wait(console.find("form[action$='/assign'] button[type=submit]"))
    console.go(f"/console/board?order={number}")
    row = board_row(console, number)
    assert row is not None and technician_name in row.text, row.text if row else console.text()[:2000]


def the_board_shows_it_resolved(console, number):
    """The phone's resolved order is no longer among the open orders."""
    console.go(f"/console/board?order={number}")
    assert board_row(console, number) is None, f"{number} is still on the board as open"


def the_households_file_and_its_signed_form(console, household_id, number, pages):
    """The household's file shows the order resolved by the phone in its history and lists the
    repair form the phone sealed, its seal verified; the form's page shows its answers, the
    photo's thumbnail (loaded: it has a width) linking to the photo, and both signatures drawn."""
    console.go(f"/console/households/{household_id}")
    pages["household"] = console.path
    text = console.text()
    assert "HZ-0002" in text and "王秀英" in text, text[:2000]
    assert f"工单 {number}：已处理完毕" in text, text[:3000]
    forms = [a for a in console.find_all("main a[href*='/forms/']") if "维修工单完工单" in a.text]
    assert forms, f"the sealed repair form is not on the file:\n{text[:3000]}"
    row = forms[0].find_element(By.XPATH, "./ancestor::tr")
    assert "签封校验通过" in row.text, row.text
    console.click_and_wait(forms[0])
    pages["form"] = console.path
    text = console.text()
    assert "维修工单完工单" in text and "更换表前阀，检漏合格" in text, text[:3000]
    thumbs = console.find_all(".thumbs img[src$='/thumb']")
    assert len(thumbs) == 1, f"one photo on the form, not {len(thumbs)}"
    for img in thumbs:
        console.driver.execute_script("arguments[0].scrollIntoView()", img)
        console.wait("the thumbnail loaded", lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", img))
        assert img.find_element(By.XPATH, "./ancestor::a").get_attribute("pathname").startswith("/console/photos/")
    assert len(console.find_all("figure.signature svg")) == 2, "both signatures drawn from their strokes"


def a_conflict_resolved(console, office, phone, household_id, pages):
    """The office opens the household's contact page and types a new number; meanwhile the
    technician corrects the same number on the phone, offline, and syncs; the office then saves
    from its page drawn before: the edit is not silently applied over the phone's, a conflict is
    kept. On the Conflicts page, side by side, the office takes the phone's number; the household
    holds it and the phone, at its next sync, too."""
    console.go(f"/console/households/{household_id}/contact")
    pages["contact"] = console.path
    first = console.find("input#phone0")
    assert first.get_attribute("value") == "13912345678"
    console.type_into(first, "13600002222")

    edit_phone_number(phone, household_id, "13700001111")
    pull_to_sync(phone)

    console.click_and_wait(console.find("form[action$='/contact'] button[type=submit]"))
    conflicts = len([line for line in office.admin("conflicts").splitlines() if "\tphones\t" in line])
    assert conflicts == 1, f"{conflicts} conflicts kept for the phone number:\n{console.text()[:2000]}"

    console.go("/console/conflicts")
    rows = [r for r in console.find_all("main tr") if "HZ-0002" in r.text]
    assert len(rows) == 1, console.text()[:3000]
    row = rows[0]
    assert "13600002222" in row.text and "13700001111" in row.text, f"side by side: {row.text}"
    assert "李强" in row.text, f"who: {row.text}"
    console.check_page("conflicts-open")
    console.click_and_wait(row.find_element(By.CSS_SELECTOR, "button[name=choice][value=other]"))
    assert not [r for r in console.find_all("main tr") if "HZ-0002" in r.text], "no longer open"
    console.go("/console/conflicts?resolved=1")
    pages["conflicts"] = console.path
    [row] = [r for r in console.find_all("main tr") if "HZ-0002" in r.text]
    assert "改用了被覆盖的值" in row.text, f"resolved, taking the phone's value: {row.text}"
    console.go(f"/console/households/{household_id}")
    text = console.text()
    assert "13700001111" in text and "13600002222" not in text, text[:2000]
    pull_to_sync(phone)
    assert household_phones(phone, household_id) == ["13700001111"]


def in_beijing(days, hour):
    """A `datetime-local` value: `days` from today, at `hour`, Beijing time."""
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    day = datetime.datetime.now(beijing).date() + datetime.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def an_outage_posted_and_two_notifications_recorded(console, office, pages):
    """A planned outage over the district (three days ahead), previewed with its households
    counted, posted; on its page two households told (one by its own button, by phone; one
    ticked, by SMS): both shown told, no one left pending."""
    console.go("/console/outages")
    console.click_and_wait(console.find("main a[href='/console/outages/new']"))
    pages["outage-new"] = console.path
    console.type_into(console.find("input#title"), "文三路管网改造停气")
    Select(console.find("select#reason")).select_by_index(0)
    for field, value in (("starts", in_beijing(3, 9)), ("ends", in_beijing(3, 15))):
        # A datetime-local control is typed into by segments that depend on the locale: its
        # value is set as the control itself sets it, with the events it sends.
        console.driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            console.find(f"input#{field}"), value,
        )
    console.find(f"input[id='district-{office.district}']").click()
    console.click_and_wait(console.find("form[action='/console/outages/preview'] button[type=submit]"))
    pages["outage-preview"] = console.path
    preview = console.find("main p.notice").text
    assert "2" in preview, f"two households affected: {preview}"
    console.click_and_wait(console.find("form[action='/console/outages/new'][method=post] button[type=submit]"))
    assert console.path.startswith("/console/outages/"), console.path
    pages["outage"] = console.path.split("?", 1)[0]

    def row(number):
        return console.find(f"input[id='h-{number}']").find_element(By.XPATH, "./ancestor::tr")

    assert "待通知" in row("HZ-0001").text and "待通知" in row("HZ-0002").text
    Select(console.find("select#how")).select_by_value("phone")
    console.click_and_wait(row("HZ-0001").find_element(By.CSS_SELECTOR, "button[name=one]"))
    console.find("input[id='h-HZ-0002']").click()
    Select(console.find("select#how")).select_by_value("sms")
    console.click_and_wait(console.find("form[action$='/notify'] fieldset button[type=submit]"))
    for number in ("HZ-0001", "HZ-0002"):
        assert "待通知" not in row(number).text, row(number).text
    [outage] = [line for line in office.admin("outage", "list").splitlines() if "文三路管网改造停气" in line]
    assert outage.split("\t")[4] == "2", f"the office's list counts two told: {outage}"


def english_is_remembered(console):
    """The switch in the title bar turns the page English, and the next page opened is English
    too."""
    console.go("/console/board")
    assert console.lang == "zh-CN" and console.title() == "调度看板"
    console.switch_language()
    assert console.path.startswith("/console/board"), "the switch comes back to the page"
    assert console.lang == "en" and console.title() == "Dispatch board", console.title()
    console.go("/console/calls")
    assert console.lang == "en" and console.title() == "Calls", console.title()
    assert "Sign out" in console.find("header").text


def a_complaint_call(console, typed, customer_number, pages):
    """A caller complains: the household found by its name as typed, the call recorded as a
    complaint; the complaint is in the queue and opens on its own page."""
    console.go("/console/calls")
    console.find("input[type=search][data-search]").send_keys(typed)
    rows = console.wait(
        f"the search results showing {customer_number}",
        lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#results tbody tr") if customer_number in r.text],
    )
    console.click_and_wait(rows[0].find_element(By.CSS_SELECTOR, "a"))
    Select(console.find("select#kind")).select_by_value("complaint")
    console.type_into(console.find("textarea#summary"), "维修人员上门迟到两小时，未提前电话告知")
    console.find("input#becomes-complaint").click()
    console.click_and_wait(console.find("#call button[type=submit]"))
    assert re.match(r"/console/calls/[^/?]+$", console.path), console.path
    pages["complaint"] = first_link(console, "/console/complaints", "/console/complaints/")
    console.go(pages["complaint"])
    assert "维修人员上门迟到两小时" in console.text()
