"""What a technician does in a day, through the Python bindings: the scenario the Kotlin tests
repeat (bindings/kotlin/src/test/kotlin/app/doorstep/core/FieldDayTest.kt)."""

import datetime
import os
import random
import struct
import zlib

import doorstep

AT_THE_DOOR = doorstep.Position(lat=30.271, lon=120.121, accuracy_m=8.0)


def camera_photo(path, seed, width=640, height=480):
    """A PNG with sensor-like noise, different for every seed (so every photo is its own)."""
    rng = random.Random(seed)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        base = 90 + (y * 120) // height
        rows.extend(
            (base + rng.randrange(40)) & 0xFF for _ in range(width * 3)
        )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
    return str(path)


def signature(role, name):
    stroke = [doorstep.StrokePoint(x=10.0 + i * 6, y=40.0 + (i % 5) * 7, t_ms=i * 16, pressure=0.5) for i in range(30)]
    return doorstep.SignatureInput(role=role, signer_name=name, strokes=[stroke])


def items_of(template):
    return {item.id: item for section in template.sections for item in section.items}


def an_answer(item, choose=None):
    """A plausible answer for a required item: checks pass, the first choice, a reading."""
    kind = item.kind
    K = doorstep.ItemKind
    if choose and item.id in choose:
        value = choose[item.id]
        return value if isinstance(value, doorstep.AnswerValue) else doorstep.AnswerValue.CHOICE(id=value)
    if isinstance(kind, K.CHECK):
        return doorstep.AnswerValue.CHECK(result=doorstep.CheckResult.PASS, advice=None)
    if isinstance(kind, K.MULTIPLE_CHOICE):
        return doorstep.AnswerValue.CHOICES(ids=[kind.choices[0].id])
    if isinstance(kind, K.SINGLE_CHOICE):
        return doorstep.AnswerValue.CHOICE(id=kind.choices[0].id)
    if isinstance(kind, K.NUMBER):
        return doorstep.AnswerValue.NUMBER(value=kind.min or "0")
    if isinstance(kind, K.TEXT):
        return doorstep.AnswerValue.TEXT(value="现场检查正常")
    if isinstance(kind, K.METER_READING):
        return doorstep.AnswerValue.METER_READING(cubic_metres="1234.567")
    if isinstance(kind, K.DATE):
        return doorstep.AnswerValue.DATE(value=datetime.date.today().isoformat())
    if isinstance(kind, K.DATE_TIME):
        return doorstep.AnswerValue.DATE_TIME(value=datetime.datetime.now(datetime.timezone.utc))
    if isinstance(kind, K.LOCATION):
        return doorstep.AnswerValue.LOCATION(lat=AT_THE_DOOR.lat, lon=AT_THE_DOOR.lon, accuracy_m=AT_THE_DOOR.accuracy_m)
    raise AssertionError(f"no answer for {item.id}")


def fill(store, form, choose=None):
    """Answers what the core says is missing, until only signatures are left."""
    items = items_of(store.template(form.template_id))
    for _ in range(100):
        missing = [
            p.item for p in store.validate_form(form.id)
            if isinstance(p.kind, doorstep.ProblemKind.MISSING) and p.item is not None
        ]
        if not missing:
            return store.form(form.id)
        for item in missing:
            store.answer(form.id, item, an_answer(items[item], choose))
    raise AssertionError("the form never stopped asking")


def full_inspection(store, household_id, photo_dir):
    """A residential inspection: every check, two photos, both signatures, sealed."""
    form = store.start_form("residential_inspection", household_id, None)
    store.check_in(household_id, AT_THE_DOOR)
    fill(store, form)
    for n in range(2):
        photo = store.attach_photo(form.id, "site_photos", camera_photo(os.path.join(photo_dir, f"site-{n}.png"), seed=n), AT_THE_DOOR)
        assert len(photo.sha256) == 64
    store.sign(form.id, "customer_signature", signature(doorstep.SignerRole.CUSTOMER, "张伟"))
    store.sign(form.id, "technician_signature", signature(doorstep.SignerRole.TECHNICIAN, "周建国"))
    assert store.validate_form(form.id) == []
    seal = store.complete_form(form.id)
    return form.id, seal


def close_repair(store, order_id, household_id):
    """The repair of a pipeline fault, on site and offline: statuses, the closing form, resolved."""
    for status in (doorstep.WorkOrderStatus.ACCEPTED, doorstep.WorkOrderStatus.EN_ROUTE, doorstep.WorkOrderStatus.ON_SITE):
        store.move_work_order(order_id, status, AT_THE_DOOR)
    form = store.start_form("repair_closing", household_id, order_id)
    fill(store, form, choose={"repair_result": "repaired"})
    store.sign(form.id, "customer_signature", signature(doorstep.SignerRole.CUSTOMER, "张伟"))
    store.sign(form.id, "technician_signature", signature(doorstep.SignerRole.TECHNICIAN, "周建国"))
    store.complete_form(form.id)
    order = store.move_work_order(order_id, doorstep.WorkOrderStatus.RESOLVED, AT_THE_DOOR)
    assert order.status == doorstep.WorkOrderStatus.RESOLVED
    return form.id
