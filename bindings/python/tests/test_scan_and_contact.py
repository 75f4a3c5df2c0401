"""User stories: the technician scans a customer card (or a meter's plate, a seal) and the phone
opens the right household; a code of the wrong format is refused saying what was expected.
The technician corrects a household's phone number at the door while the office corrects the
same field: the later edit stands, the other is kept for the office to review."""

import json
import time

import pytest

from conftest import HOUSEHOLDS


def test_a_scanned_customer_card_opens_its_household_and_a_wrong_code_says_what_was_expected(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    scanned = store.scan_code(doorstep.CodeKind.CUSTOMER_CARD, " hz-0001\n", None)
    assert scanned.code == "HZ-0001"
    assert scanned.household.customer_number == "HZ-0001"
    assert store.scan_code(doorstep.CodeKind.SEAL_NUMBER, "FQ-000001", None).household is None

    cards = json.dumps({"customer_card": {"prefix": "HZ", "min_len": 10, "max_len": 10, "digits_only": True, "check_digit": "luhn"}})
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.scan_code(doorstep.CodeKind.CUSTOMER_CARD, "SH12345678", cards)
    assert e.value.field == "scan.customer_card"
    assert "starting with \"HZ\"" in e.value.reason and "Luhn" in e.value.reason
    assert e.value.reason_zh.startswith("开头不对")
    assert "SH12345678" not in e.value.reason, "the value is not repeated"


def office_sets_phone(office, tmp_path, phone):
    """The office corrects HZ-0001's phone in the customer system and re-imports the file."""
    rows = HOUSEHOLDS.format(district=office.district).replace("13812345678", phone)
    csv = tmp_path / f"households-{phone}.csv"
    csv.write_text(rows, encoding="utf-8")
    office.admin("household", "import", str(csv))


def phone_of(store, household_id):
    return store.household_file(household_id).household.phones


def test_the_later_edit_of_a_phone_number_stands_and_the_other_is_kept_for_review(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    here = store.search_households("HZ-0001", 1)[0].id

    # The office corrects the number first; the technician, not having synced, corrects it later.
    office_sets_phone(office, tmp_path, "13600002222")
    time.sleep(0.05)
    edited = store.edit_contact_details(here, ["137 0000 1111"], None)
    assert edited.household.phones == ["13700001111"]
    store.sync(None)
    assert phone_of(store, here) == ["13700001111"], "the later edit, the technician's, stands"
    assert office.count("SELECT count(*) FROM conflicts WHERE field = 'phones' AND rule = 'later_clock_wins'") == 1

    # Now the technician corrects it again offline, and the office corrects it after: the office's stands.
    store.edit_contact_details(here, ["13500003333"], None)
    time.sleep(0.05)
    office_sets_phone(office, tmp_path, "13400004444")
    store.sync(None)
    assert phone_of(store, here) == ["13400004444"], "the later edit, the office's, stands"
    assert office.count("SELECT count(*) FROM conflicts WHERE field = 'phones'") == 2


def test_a_special_group_households_contact_person_is_corrected_at_the_door(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    elderly = store.search_households("HZ-0002", 1)[0].id
    contact = doorstep.ContactPerson(name="李强", relation="儿子", phone="13700001111")
    file = store.edit_contact_details(elderly, ["13912345678"], contact)
    assert file.household.contact_person == contact
    store.sync(None)
    other = office.enrolled_phone(tmp_path / "t")
    other.sync(None)
    assert other.household_file(elderly).household.contact_person == contact

    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.edit_contact_details(elderly, ["12"], None)
    assert e.value.field.startswith("household.phones")
    not_registered = store.search_households("HZ-0001", 1)[0].id
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.edit_contact_details(not_registered, ["13812345678"], contact)
    assert e.value.field == "household.contact"
