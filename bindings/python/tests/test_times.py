"""User story: a deadline on the phone is the moment the service center set, whatever the
phone's time zone; a time without a zone is refused rather than guessed."""

import datetime

import pytest

UTC = datetime.timezone.utc


def test_a_deadline_crosses_as_an_aware_utc_moment_to_the_millisecond(doorstep):
    due = datetime.datetime(2026, 11, 28, 15, 0, 0, 123456, tzinfo=UTC)
    reason = doorstep.WorkReason.DEADLINE(milestone=doorstep.Milestone.REPAIR, due_at=due, breached=False)
    # The service center's zone is UTC+8: 15:00 UTC is 23:00 there.
    assert "11-28 23:00" in doorstep.describe_work_reason(reason, doorstep.Language.EN)
    # The same moment given in another zone reads the same.
    east = due.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    reason = doorstep.WorkReason.DEADLINE(milestone=doorstep.Milestone.REPAIR, due_at=east, breached=False)
    assert "11-28 23:00" in doorstep.describe_work_reason(reason, doorstep.Language.ZH)


def test_a_time_without_a_zone_is_refused(doorstep):
    naive = datetime.datetime(2026, 11, 28, 15, 0)
    with pytest.raises(TypeError):
        doorstep.describe_work_reason(doorstep.WorkReason.ASSIGNED(reported_at=naive), doorstep.Language.EN)


def test_the_work_list_gives_aware_utc_times(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    timed = [w.reason for w in store.work_list(None)
             if isinstance(w.reason, (doorstep.WorkReason.EMERGENCY, doorstep.WorkReason.DEADLINE,
                                      doorstep.WorkReason.ASSIGNED))]
    assert timed
    for reason in timed:
        at = reason.reported_at if isinstance(reason, doorstep.WorkReason.ASSIGNED) else reason.due_at
        assert at.tzinfo is not None and at.utcoffset() == datetime.timedelta(0)
        assert at.microsecond % 1000 == 0
    store.close_store()
