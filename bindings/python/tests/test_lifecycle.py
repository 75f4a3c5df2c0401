"""User story: the app opens and closes its store as the technician logs in and out, many
times a day, and its screens call in from several threads while a sync runs."""

import concurrent.futures
import gc
import threading

import pytest

import field


def test_a_closed_store_refuses_calls_and_objects_are_freed(doorstep, tmp_path):
    key = doorstep.generate_store_key()
    for i in range(200):
        store = doorstep.DeviceStore.open(str(tmp_path / "s"), key)
        device = store.device_id()
        store.close_store()
        with pytest.raises(doorstep.DoorstepError.Storage):
            store.device_id()
        store.close_store()  # closing twice is harmless
        del store
    gc.collect()
    # The same installation every time: the store was closed cleanly and opened again.
    again = doorstep.DeviceStore.open(str(tmp_path / "s"), key)
    assert again.device_id() == device
    again.close_store()


def test_a_store_opened_with_another_key_is_moved_aside_not_deleted(doorstep, tmp_path):
    store = doorstep.DeviceStore.open(str(tmp_path / "s"), doorstep.generate_store_key())
    store.close_store()
    with pytest.raises(doorstep.DoorstepError.Storage) as e:
        doorstep.DeviceStore.open(str(tmp_path / "s"), doorstep.generate_store_key())
    assert "moved aside" in str(e.value)
    assert any(p.name.startswith("doorstep.db.unreadable-") for p in (tmp_path / "s").iterdir())


def test_screens_call_from_several_threads_while_a_sync_runs(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    households = [h.id for h in store.search_households("文三路", 10)]
    assert len(households) == 2
    forms = [store.start_form("residential_inspection", h, None) for h in households]
    errors = []
    stop = threading.Event()

    def syncing():
        while not stop.is_set():
            try:
                store.sync(None)
            except Exception as e:  # noqa: BLE001 - every failure is reported below
                errors.append(e)

    def screen(n):
        form = forms[n % 2]
        for i in range(20):
            assert store.work_list(None)
            assert store.household_file(households[n % 2]).household.id == households[n % 2]
            assert store.search_households("HZ-000", 5)
            store.answer(form.id, "remarks", doorstep.AnswerValue.TEXT(value=f"线程{n}第{i}次"))
        return n

    syncer = threading.Thread(target=syncing)
    syncer.start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        done = sorted(pool.map(screen, range(8)))
    stop.set()
    syncer.join()
    assert done == list(range(8))
    assert errors == []
    store.sync(None)
    assert store.sync_status().pending_operations == 0
    for form in forms:
        answer = [a for a in store.form(form.id).answers if a.item == "remarks"][0].answer
        assert answer.value.startswith("线程")
    store.close_store()


def test_a_sync_can_be_cancelled_from_another_thread(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")

    class CancelOnFirst(doorstep.SyncObserver):
        def on_progress(self, progress):
            store.cancel_sync()

    with pytest.raises(doorstep.DoorstepError.Cancelled):
        store.sync(CancelOnFirst())
    report = store.sync(None)
    assert report.pulled > 0
    store.close_store()
