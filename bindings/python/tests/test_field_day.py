"""User story: a technician enrolls a phone, syncs, works through the day's list (a residential
inspection with photos and both signatures, a pipeline fault repaired offline), syncs again,
and a second phone of the same technician sees it all, with the server holding one copy of
each. Against the real library and a real `doorstep serve`."""

import threading

import field


class Phases(field.doorstep.SyncObserver):
    def __init__(self):
        self.seen = []
        self.lock = threading.Lock()

    def on_progress(self, progress):
        with self.lock:
            self.seen.append((progress.phase, progress.done, progress.total))


def phone(doorstep, office, tmp_path, name):
    store = doorstep.DeviceStore.open(str(tmp_path / name), doorstep.generate_store_key())
    technician = store.enroll(office.url, office.admin("enroll", office.technician), f"test phone {name}")
    assert technician.id == office.technician
    assert technician.badge == "HZ1024"
    return store


def test_a_field_day_syncs_once_and_a_second_phone_sees_it(doorstep, office, tmp_path):
    a = phone(doorstep, office, tmp_path, "a")
    first = a.sync(None)
    assert first.pulled >= 3  # the district, the two households, the order, the technician…

    work = a.work_list(field.AT_THE_DOOR)
    orders = [w for w in work if isinstance(w.task, doorstep.WorkTask.ORDER)]
    assert len(orders) == 1
    order = orders[0]
    assert isinstance(order.reason, doorstep.WorkReason.EMERGENCY)
    # Worded when shown, in the user's language.
    assert "紧急" in doorstep.describe_work_reason(order.reason, doorstep.Language.ZH)
    assert doorstep.describe_work_reason(order.reason, doorstep.Language.EN).startswith("Emergency")

    hit = a.search_households("HZ-0001", 5)[0]
    file = a.household_file(hit.id)
    assert file.household.customer_number == "HZ-0001"
    assert file.household.address.street == "文三路88号"
    assert [o.number for o in file.work_orders] == [office.order_number]

    # Offline from here: the server is down while the technician works.
    office.stop()
    inspection_id, seal = field.full_inspection(a, hit.id, str(tmp_path))
    repair_id = field.close_repair(a, order.task.work_order_id, hit.id)
    try:
        a.sync(None)
        raise AssertionError("a sync with the server down succeeded")
    except doorstep.DoorstepError.Network:
        pass
    # The household's timeline says what was done, in both languages.
    sealed_line = next(e for e in a.household_file(hit.id).history if e.kind == doorstep.HistoryKind.FORM)
    assert sealed_line.summary.zh.startswith("表单已签封"), sealed_line.summary
    assert sealed_line.summary.en.startswith("form sealed"), sealed_line.summary
    status = a.sync_status()
    assert status.pending_operations > 0
    assert len(status.pending_photos) == 2

    office.start()
    phases = Phases()
    report = a.sync(phases)
    seen = {p for p, _, _ in phases.seen}
    assert seen == {doorstep.SyncPhase.PUSH, doorstep.SyncPhase.PHOTOS, doorstep.SyncPhase.PULL}, phases.seen
    assert all(done <= total for _, done, total in phases.seen)
    assert report.photos_uploaded == 2
    assert report.rejected == 0 and report.photos_unreadable == 0 and report.held_back == 0
    status = a.sync_status()
    assert status.pending_operations == 0 and status.pending_photos == [] and status.rejected == []
    assert a.conflicts() == [] and a.pending_uploads() == []

    # A second phone of the same technician sees the day's results.
    b = phone(doorstep, office, tmp_path, "b")
    b.sync(None)
    seen_order = b.work_order(order.task.work_order_id)
    assert seen_order.status == doorstep.WorkOrderStatus.RESOLVED
    assert [s.status for s in seen_order.steps][-1] == doorstep.WorkOrderStatus.RESOLVED
    seen_file = b.household_file(hit.id)
    assert seen_file.household.last_inspection_at is not None
    sealed = b.form(inspection_id)
    assert sealed.seal is not None and sealed.seal.digest == seal.digest
    assert len(sealed.photos) == 2 and len(sealed.signatures) == 2
    assert b.form(repair_id).seal is not None

    # The server holds one copy of each: both forms, both photos, every operation once.
    assert office.count("SELECT count(*) FROM records WHERE entity = 'form'") == 2
    assert office.count("SELECT count(*) FROM photos") == 2
    assert office.count("SELECT count(*) FROM ops") == office.count("SELECT count(DISTINCT op_id) FROM ops")
    a_ops = office.count("SELECT count(*) FROM ops WHERE device_id = ?", a.device_id())
    assert a_ops == report.pushed
    a.close_store()
    b.close_store()
