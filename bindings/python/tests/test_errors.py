"""User story: when something goes wrong the app learns what kind of thing it is (fix a field,
make an amendment, ask for a new code, try again later), never a person's data."""

import socket

import pytest

import field


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_invalid_input_names_the_field(doorstep, tmp_path):
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        doorstep.DeviceStore.open(str(tmp_path / "s"), "not-a-key")
    assert e.value.field == "key_hex"
    # The reason in the users' language first, and in English.
    assert e.value.reason_zh == "须为64个十六进制字符（256位）", e.value.reason_zh
    assert "hexadecimal" in e.value.reason
    store = doorstep.DeviceStore.open(str(tmp_path / "s"), doorstep.generate_store_key())
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.household_file("HZ-0001 is not an id")
    assert e.value.field == "household_id"
    with pytest.raises(doorstep.DoorstepError.NotFound):
        store.household_file("01900000-0000-7000-8000-000000000001")
    with pytest.raises(doorstep.DoorstepError.NotEnrolled):
        store.sync(None)
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        doorstep.describe_work_reason(
            doorstep.WorkReason.INSPECTION_DUE(due_on="28/11/2026", in_days=3), doorstep.Language.ZH
        )
    assert e.value.field == "due_on"


def test_a_sealed_form_refuses_a_change_and_a_bad_answer_is_refused(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    household = store.search_households("HZ-0002", 1)[0].id
    form = store.start_form("residential_inspection", household, None)
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.answer(form.id, "meter_reading", doorstep.AnswerValue.METER_READING(cubic_metres="twelve"))
    assert e.value.field == "meter_reading"  # the item the screen marks
    assert e.value.reason_zh.startswith("以立方米填写"), e.value.reason_zh
    with pytest.raises(doorstep.DoorstepError.Incomplete) as e:
        store.complete_form(form.id)
    assert any(p.item == "customer_signature" for p in e.value.problems)
    # Each problem is worded beside its item, in the technician's language.
    signature = next(p for p in e.value.problems if p.item == "customer_signature")
    assert doorstep.describe_form_problem(signature.kind, doorstep.Language.ZH) == "缺少用户签字"
    assert "signature" in doorstep.describe_form_problem(signature.kind, doorstep.Language.EN)
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as bad:
        doorstep.describe_form_problem(doorstep.ProblemKind.BELOW_MINIMUM(min="two"), doorstep.Language.EN)
    assert bad.value.field == "min"
    form_id, _ = field.full_inspection(store, household, str(tmp_path))
    with pytest.raises(doorstep.DoorstepError.Sealed):
        store.answer(form_id, "remarks", doorstep.AnswerValue.TEXT(value="改一下"))
    order = [w for w in store.work_list(None) if isinstance(w.task, doorstep.WorkTask.ORDER)][0]
    store.move_work_order(order.task.work_order_id, doorstep.WorkOrderStatus.ON_SITE, None)
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.move_work_order(order.task.work_order_id, doorstep.WorkOrderStatus.ACCEPTED, None)
    assert e.value.field == "work_order.status"


def test_a_wrong_code_is_auth_and_an_unreachable_server_is_network(doorstep, office, tmp_path):
    store = doorstep.DeviceStore.open(str(tmp_path / "s"), doorstep.generate_store_key())
    with pytest.raises(doorstep.DoorstepError.Auth):
        store.enroll(office.url, "WRONGCODE123", "test phone")
    code = office.admin("enroll", office.technician)
    store.enroll(office.url, code, "test phone")
    other = doorstep.DeviceStore.open(str(tmp_path / "t"), doorstep.generate_store_key())
    with pytest.raises(doorstep.DoorstepError.Auth):
        other.enroll(office.url, code, "second phone, same code")
    with pytest.raises(doorstep.DoorstepError.Network):
        other.enroll(f"http://127.0.0.1:{closed_port()}", office.admin("enroll", office.technician), "test phone")
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        other.enroll("ftp://example", "CODE", "test phone")
    assert e.value.field == "server"


def test_error_messages_carry_no_personal_data(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    household = store.search_households("HZ-0001", 1)[0].id
    form = store.start_form("residential_inspection", household, None)
    person = "张伟 13812345678 文三路"
    A = doorstep.AnswerValue
    # Every call below is given the person's data where an app could put it by mistake, and
    # refused: the refusal names the field, never the value.
    calls = [
        lambda: store.sign(form.id, "customer_signature", doorstep.SignatureInput(
            role=doorstep.SignerRole.CUSTOMER, signer_name="张伟", strokes=[])),
        lambda: store.answer(form.id, "remarks", A.TEXT(value=person * 2000)),
        lambda: store.answer(form.id, "meter_reading", A.METER_READING(cubic_metres=person)),
        lambda: store.answer(form.id, "remarks", A.DATE(value=person)),
        lambda: store.start_form("residential_inspection", person, None),
        lambda: store.household_file(person),
        lambda: store.start_form(person, household, None),
    ]
    for n, call in enumerate(calls):
        with pytest.raises(doorstep.DoorstepError) as e:
            call()
        text = f"{e.value} {getattr(e.value, 'field', '')} {getattr(e.value, 'reason', '')}"
        for personal in ("张伟", "13812345678", "文三路"):
            assert personal not in text, (n, text)
    # An option that is not one is kept in the draft, and named as a problem without its text.
    store.answer(form.id, "appliances", A.CHOICES(ids=[person]))
    problems = " ".join(str(p) for p in store.validate_form(form.id))
    assert "appliances" in problems
    for personal in ("张伟", "13812345678", "文三路"):
        assert personal not in problems, problems


def test_a_refused_operation_is_explained_in_the_technicians_language(doorstep):
    zh = doorstep.describe_refusal(doorstep.ErrorKind.FORM_TAMPERED, doorstep.Language.ZH)
    en = doorstep.describe_refusal(doorstep.ErrorKind.FORM_TAMPERED, doorstep.Language.EN)
    assert "签封" in zh and "sealed" in en
    assert doorstep.describe_refusal(doorstep.ErrorKind.FORBIDDEN, doorstep.Language.ZH) != zh
    # A kind this app does not know (a newer server) still reads as a refusal.
    assert "服务器未接收" in doorstep.describe_refusal(doorstep.ErrorKind.UNKNOWN, doorstep.Language.ZH)


def test_a_location_without_a_real_accuracy_is_refused_by_the_core(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    household = store.search_households("文三路", 1)[0].id
    form = store.start_form("residential_inspection", household, None)
    for accuracy in (float("nan"), float("inf"), -1.0):
        with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
            store.answer(form.id, "visit_location",
                         doorstep.AnswerValue.LOCATION(lat=30.27, lon=120.12, accuracy_m=accuracy))
        assert e.value.field == "visit_location", e.value
    store.answer(form.id, "visit_location",
                 doorstep.AnswerValue.LOCATION(lat=30.27, lon=120.12, accuracy_m=8.0))
    store.close_store()


def test_a_file_that_is_no_photo_is_refused_in_the_technicians_language(doorstep, office, tmp_path):
    """User story: the technician picks an iPhone's HEIC or a PDF from the gallery: the app says
    in Chinese what the file is and what to do, and nothing is stored."""
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    household = store.search_households("HZ-0001", 1)[0].id
    heic = tmp_path / "IMG_0001.jpg"  # the name says JPEG; the bytes say HEIC
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(doorstep.DoorstepError.Photo) as e:
        store.take_photo(household, str(heic), None)
    assert "HEIC" in e.value.reason_zh and "HEIC" in e.value.reason, e.value.reason_zh
    pdf = tmp_path / "scan.jpg"
    pdf.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    with pytest.raises(doorstep.DoorstepError.Photo) as e:
        store.take_photo(household, str(pdf), None)
    assert e.value.reason_zh.startswith("该文件"), e.value.reason_zh
    assert store.pending_uploads() == []
