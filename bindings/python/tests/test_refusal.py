"""User story: the customer will not sign. The technician photographs what stands in for the
signature (the refusal on site), writes the reason and seals; a photo the phone never took, or
took at another household, is refused so the sealed form never waits for it on the server."""

import os

import pytest

import field


def test_a_refused_signature_is_sealed_with_a_photo_the_phone_took_here(doorstep, office, tmp_path):
    store = office.enrolled_phone(tmp_path / "s")
    store.sync(None)
    here = store.search_households("HZ-0001", 1)[0].id
    next_door = store.search_households("HZ-0002", 1)[0].id
    form = store.start_form("residential_inspection", here, None)
    field.fill(store, form)
    store.attach_photo(form.id, "site_photos", field.camera_photo(os.path.join(tmp_path, "site.png"), seed=1), field.AT_THE_DOOR)

    def refused(sha256):
        return doorstep.VisitOutcome.CUSTOMER_REFUSED_TO_SIGN(reason="用户拒绝签字", photo_sha256=sha256)

    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.set_outcome(form.id, refused("ab" * 32))
    assert e.value.field == "outcome.photo" and e.value.reason_zh.startswith("本机没有这张照片")
    elsewhere = store.take_photo(next_door, field.camera_photo(os.path.join(tmp_path, "door.png"), seed=2), field.AT_THE_DOOR)
    with pytest.raises(doorstep.DoorstepError.InvalidInput) as e:
        store.set_outcome(form.id, refused(elsewhere.sha256))
    assert e.value.field == "outcome.photo"

    refusal = store.take_photo(here, field.camera_photo(os.path.join(tmp_path, "refusal.png"), seed=3), field.AT_THE_DOOR)
    store.set_outcome(form.id, refused(refusal.sha256))
    store.sign(form.id, "technician_signature", field.signature(doorstep.SignerRole.TECHNICIAN, "周建国"))
    assert store.validate_form(form.id) == []
    store.complete_form(form.id)
    assert refusal.sha256 in store.pending_uploads()
    store.sync(None)
    assert store.pending_uploads() == []
    # On the server the refusal's photo is one of the form's, and there: the form waits for none.
    assert office.count("SELECT count(*) FROM form_photos WHERE sha256 = ?", refusal.sha256) == 1
    assert office.count(
        "SELECT count(*) FROM form_photos f WHERE NOT EXISTS "
        "(SELECT 1 FROM photos p WHERE p.sha256 = f.sha256 AND p.complete)"
    ) == 0
