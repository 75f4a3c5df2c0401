//! The SQLite statements of [`super::tx`], each named for the method that runs it, so that
//! rustfmt formats the code around them.

pub(super) const RECORD: &str = concat!(
    "SELECT ",
    record_columns!(),
    " FROM records WHERE entity = ?1 AND id = ?2"
);

pub(super) const RECORDS: &str = concat!(
    "SELECT ",
    record_columns!(),
    " FROM records WHERE entity = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
);

pub(super) const RECORD_ID_BY_KEY: &str = "SELECT id FROM records WHERE entity = ?1 AND key = ?2";

pub(super) const PUT_RECORDS: &str =
    "INSERT INTO records(entity, id, key, seq, deleted, body, stamps, buckets)";

pub(super) const PUT_BUCKET_ENTRIES: &str =
    "INSERT INTO bucket_entries(bucket, entity, id, seq, left_bucket)";

pub(super) const CHANGES: &str = "SELECT seq, entity, id, left_bucket FROM bucket_entries
    WHERE bucket = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

pub(super) const COUNT_CHANGES: &str =
    "SELECT count(*) FROM bucket_entries WHERE bucket = ?1 AND seq > ?2";

pub(super) const OP_EXISTS: &str = "SELECT 1 FROM ops WHERE device_id = ?1 AND op_id = ?2";

pub(super) const STORED_OPS: &str = "SELECT op_id FROM ops WHERE device_id = ?1
    AND op_id IN (SELECT value FROM json_each(?2))";

pub(super) const INSERT_OPS: &str =
    "INSERT INTO ops(device_id, op_id, device_seq, hlc, entity, entity_id, device_time,
    received_at, server_seq, payload)";

pub(super) const INSERT_CONFLICT: &str = "INSERT INTO conflicts(seq, entity, entity_id, field, rule, kept, lost, kept_by, lost_by, op_id, at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

pub(super) const CONFLICTS: &str =
    "SELECT seq, entity, entity_id, field, rule, kept, lost, kept_by, lost_by, op_id, at
    FROM conflicts ORDER BY n DESC LIMIT ?1";

pub(super) const AUDIT: &str = "INSERT INTO audit(at, actor, device_id, action, entity, entity_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

pub(super) const AUDIT_LOG: &str =
    "SELECT at, actor, device_id, action, entity, entity_id FROM audit ORDER BY n DESC LIMIT ?1";

pub(super) const DEVICES: &str =
    "SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at FROM devices
    WHERE ?1 IS NULL OR technician_id = ?1 ORDER BY enrolled_at, id";

pub(super) const DEVICE: &str = "SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at FROM devices WHERE id = ?1";

pub(super) const PUT_DEVICE: &str =
    "INSERT INTO devices(id, technician_id, credential_sha256, model, enrolled_at, revoked_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
    ON CONFLICT(id) DO UPDATE SET technician_id = excluded.technician_id,
    credential_sha256 = excluded.credential_sha256, model = excluded.model,
    enrolled_at = excluded.enrolled_at, revoked_at = excluded.revoked_at";

pub(super) const ENROLLMENT: &str = "SELECT code_sha256, technician_id, expires_at, used_by FROM enrollments WHERE code_sha256 = ?1";

pub(super) const PUT_ENROLLMENT: &str = "INSERT INTO enrollments(code_sha256, technician_id, expires_at, used_by) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT(code_sha256) DO UPDATE SET used_by = excluded.used_by";

pub(super) const PHOTO: &str =
    "SELECT sha256, total, received, complete FROM photos WHERE sha256 = ?1";

pub(super) const PUT_PHOTO: &str =
    "INSERT INTO photos(sha256, total, received, complete) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT(sha256) DO UPDATE SET total = excluded.total, received = excluded.received,
    complete = excluded.complete";

pub(super) const PUT_PHOTO_CHUNK: &str =
    "INSERT OR REPLACE INTO photo_chunks(sha256, offset, bytes) VALUES (?1, ?2, ?3)";

pub(super) const PHOTO_CHUNKS: &str =
    "SELECT bytes FROM photo_chunks WHERE sha256 = ?1 ORDER BY offset";

pub(super) const PUT_FORM_PHOTO: &str =
    "INSERT OR IGNORE INTO form_photos(form_id, sha256) VALUES (?1, ?2)";

pub(super) const FORMS_WAITING: &str = "SELECT DISTINCT f.form_id FROM form_photos f
    WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.sha256 = f.sha256 AND p.complete)
    ORDER BY f.form_id";

pub(super) const COUNT: &str = "SELECT count(*) FROM records WHERE entity = ?1 AND NOT deleted";

pub(super) const RECORD_UPSERT: &str = "ON CONFLICT(entity, id) DO UPDATE SET key = excluded.key,
    seq = excluded.seq, deleted = excluded.deleted, body = excluded.body,
    stamps = excluded.stamps, buckets = excluded.buckets";

pub(super) const BUCKET_ENTRY_UPSERT: &str =
    "ON CONFLICT(bucket, entity, id) DO UPDATE SET seq = excluded.seq,
    left_bucket = excluded.left_bucket";

pub(super) const PUSHED_ABOUT: &str =
    "SELECT 1 FROM ops WHERE device_id = ?1 AND entity = ?2 AND entity_id = ?3 LIMIT 1";

pub(super) const OP: &str =
    "SELECT device_id, op_id, device_seq, hlc, entity, entity_id, device_time, received_at,
    server_seq, payload FROM ops WHERE device_id = ?1 AND op_id = ?2";

pub(super) const BUCKET_ENTRY: &str = "SELECT seq, entity, id, left_bucket FROM bucket_entries
    WHERE bucket = ?1 AND entity = ?2 AND id = ?3";

pub(super) const PUT_PARKED: &str = "INSERT INTO parked(device_id, op_id, technician_id, entity, entity_id, household_id, base_seq, reason,
    parked_at, accepted, decision_reason, decided_by, decided_at, decided_seq)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
    ON CONFLICT(device_id, op_id) DO UPDATE SET accepted = excluded.accepted,
    decision_reason = excluded.decision_reason, decided_by = excluded.decided_by,
    decided_at = excluded.decided_at, decided_seq = excluded.decided_seq";

pub(super) const PARKED: &str =
    "SELECT device_id, op_id, technician_id, entity, entity_id, household_id, base_seq, reason,
    parked_at, accepted, decision_reason, decided_by, decided_at, decided_seq
    FROM parked WHERE (?1 IS NULL OR device_id = ?1) AND (?2 IS NULL OR op_id = ?2)
    AND (?3 = 0 OR accepted IS NULL) AND (?4 IS NULL OR decided_seq > ?4)
    ORDER BY parked_at, op_id LIMIT ?5";

pub(super) const RECEIPT_FORMS: &str =
    "SELECT form_id FROM receipts WHERE receipt = ?1 ORDER BY form_id";

pub(super) const PUT_RECEIPT: &str =
    "INSERT OR IGNORE INTO receipts(receipt, form_id, technician_id, sealed_at, method, total_fen)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

pub(super) const RECEIPTS_BETWEEN: &str =
    "SELECT receipt, form_id, technician_id, sealed_at, method, total_fen
    FROM receipts WHERE technician_id = ?1 AND sealed_at >= ?2 AND sealed_at < ?3
    ORDER BY sealed_at, form_id";

pub(super) const PUT_DELIVERY: &str =
    "INSERT OR IGNORE INTO order_deliveries(order_id, device_id, technician_id, seq, served_at)
    VALUES (?1, ?2, ?3, ?4, ?5)";

pub(super) const DELIVERIES_WAITING: &str = "SELECT count(*) FROM order_deliveries
    WHERE device_id = ?1 AND seq <= ?2 AND acknowledged_at IS NULL";

pub(super) const ACKNOWLEDGE_DELIVERIES: &str = "UPDATE order_deliveries SET acknowledged_at = ?3
    WHERE device_id = ?1 AND seq <= ?2 AND acknowledged_at IS NULL";

pub(super) const DELIVERIES: &str =
    "SELECT order_id, device_id, technician_id, seq, served_at, acknowledged_at
    FROM order_deliveries WHERE order_id = ?1 ORDER BY served_at, device_id";

// console/staff (issue 26): staff accounts, sessions and sign-in failures.
pub(super) const STAFF_MEMBER: &str = "SELECT id, login, name, role, districts, password_hash, active, created_at, password_set_at FROM staff WHERE id = ?1";

pub(super) const STAFF_BY_LOGIN: &str = "SELECT id FROM staff WHERE login = ?1";

pub(super) const STAFF_MEMBERS: &str = "SELECT id FROM staff ORDER BY login";

pub(super) const PUT_STAFF: &str = "INSERT INTO staff(id, login, name, role, districts, password_hash, active, created_at, password_set_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    ON CONFLICT(id) DO UPDATE SET login = excluded.login, name = excluded.name,
    role = excluded.role, districts = excluded.districts, password_hash = excluded.password_hash,
    active = excluded.active, password_set_at = excluded.password_set_at";

pub(super) const STAFF_SESSION: &str =
    "SELECT token_sha256, staff_id, csrf, created_at, last_seen_at
    FROM staff_sessions WHERE token_sha256 = ?1";

pub(super) const PUT_STAFF_SESSION: &str =
    "INSERT INTO staff_sessions(token_sha256, staff_id, csrf, created_at, last_seen_at)
    VALUES (?1, ?2, ?3, ?4, ?5)";

pub(super) const TOUCH_STAFF_SESSION: &str =
    "UPDATE staff_sessions SET last_seen_at = ?2 WHERE token_sha256 = ?1";

pub(super) const DROP_STAFF_SESSION: &str = "DELETE FROM staff_sessions WHERE token_sha256 = ?1";

pub(super) const DROP_STAFF_SESSIONS: &str = "DELETE FROM staff_sessions WHERE staff_id = ?1";

pub(super) const DROP_IDLE_STAFF_SESSIONS: &str =
    "DELETE FROM staff_sessions WHERE last_seen_at < ?1";

pub(super) const SIGN_IN_FAILURES: &str = "SELECT login, failures, last_failure, locked_until FROM staff_sign_in_failures WHERE login = ?1";

pub(super) const COUNT_SIGN_IN_FAILURE: &str =
    "INSERT INTO staff_sign_in_failures(login, failures, last_failure) VALUES (?1, 1, ?2)
    ON CONFLICT(login) DO UPDATE SET failures = staff_sign_in_failures.failures + 1,
    last_failure = excluded.last_failure
    RETURNING failures";

pub(super) const LOCK_SIGN_IN: &str =
    "UPDATE staff_sign_in_failures SET failures = 0, locked_until = ?2 WHERE login = ?1";

pub(super) const CLEAR_SIGN_IN_FAILURES: &str =
    "DELETE FROM staff_sign_in_failures WHERE login = ?1";
// (end console/staff)

// console/search (issue 26): the household search.
/// `?1`, `?2`: what to look for (the second may be NULL); `?3`: the districts as a JSON array,
/// or NULL for the whole city; `?4`: the query as typed (an exact customer number first).
pub(super) const FIND_HOUSEHOLDS: &str = "SELECT r.entity, r.id, r.key, r.seq, r.deleted,
    r.body, r.stamps, r.buckets
    FROM household_search s JOIN records r ON r.entity = 'household' AND r.id = s.id
    WHERE (instr(s.text, ?1) > 0 OR (?2 IS NOT NULL AND instr(s.text, ?2) > 0))
    AND (?3 IS NULL OR s.district_id IN (SELECT value FROM json_each(?3)))
    ORDER BY s.number = ?4 DESC, s.number LIMIT ?5";

/// As [`FIND_HOUSEHOLDS`] through the trigram index: `?1` is an FTS5 query of the needles as
/// phrases (each of three characters or more), `?2` to `?4` as `?3` to `?5` there.
pub(super) const FIND_HOUSEHOLDS_BY_TRIGRAMS: &str = "SELECT r.entity, r.id, r.key, r.seq,
    r.deleted, r.body, r.stamps, r.buckets
    FROM household_search_trigrams f
    JOIN household_search s ON s.rowid = f.rowid
    JOIN records r ON r.entity = 'household' AND r.id = s.id
    WHERE household_search_trigrams MATCH ?1
    AND (?2 IS NULL OR s.district_id IN (SELECT value FROM json_each(?2)))
    ORDER BY s.number = ?3 DESC, s.number LIMIT ?4";

pub(super) const PUT_HOUSEHOLD_SEARCH: &str =
    "INSERT INTO household_search(id, district_id, number, text) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT(id) DO UPDATE SET district_id = excluded.district_id, number = excluded.number,
    text = excluded.text";

pub(super) const DROP_HOUSEHOLD_SEARCH: &str = "DELETE FROM household_search WHERE id = ?1";

pub(super) const HOUSEHOLD_SEARCH_EMPTY: &str = "SELECT NOT EXISTS (SELECT 1 FROM household_search)
    AND EXISTS (SELECT 1 FROM records WHERE entity = 'household' AND NOT deleted)";
// (end console/search)

// console/board (issue 26): open work orders for the dispatch board.
pub(super) const PUT_OPEN_WORK_ORDER: &str =
    "INSERT INTO open_work_orders(id) VALUES (?1) ON CONFLICT(id) DO NOTHING";

pub(super) const DROP_OPEN_WORK_ORDER: &str = "DELETE FROM open_work_orders WHERE id = ?1";

pub(super) const OPEN_WORK_ORDERS: &str = "SELECT r.entity, r.id, r.key, r.seq, r.deleted,
    r.body, r.stamps, r.buckets
    FROM open_work_orders o JOIN records r ON r.entity = 'work_order' AND r.id = o.id
    WHERE o.id > ?1 ORDER BY o.id LIMIT ?2";

pub(super) const OPEN_WORK_ORDER_VERSIONS: &str = "SELECT o.id, r.seq
    FROM open_work_orders o JOIN records r ON r.entity = 'work_order' AND r.id = o.id";

pub(super) const OPEN_WORK_ORDERS_EMPTY: &str = "SELECT NOT EXISTS (SELECT 1 FROM open_work_orders)
    AND EXISTS (SELECT 1 FROM records WHERE entity = 'work_order' AND NOT deleted)";

pub(super) const PUT_DEVICE_SYNC: &str =
    "INSERT INTO device_syncs(device_id, synced_at, cursor_seq, app_version) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT(device_id) DO UPDATE SET synced_at = excluded.synced_at,
    cursor_seq = excluded.cursor_seq, app_version = excluded.app_version";

pub(super) const DEVICE_SYNCS: &str =
    "SELECT device_id, synced_at, cursor_seq, app_version FROM device_syncs ORDER BY device_id";
// (end console/board)

// console/conflicts (issue 26): conflicts resolved by the office.
pub(super) const CONFLICTS_TO_REVIEW: &str = "SELECT c.n, c.seq, c.entity, c.entity_id, c.field, c.rule, c.kept, c.lost, c.kept_by, c.lost_by,
    c.op_id, c.at, r.took_other, r.resolved_by, r.resolved_at, r.seq
    FROM conflicts c LEFT JOIN conflict_resolutions r ON r.conflict = c.n
    WHERE (r.conflict IS NOT NULL) = ?1 ORDER BY c.n DESC LIMIT ?2 OFFSET ?3";

pub(super) const COUNT_CONFLICTS_TO_REVIEW: &str = "SELECT count(*)
    FROM conflicts c LEFT JOIN conflict_resolutions r ON r.conflict = c.n
    WHERE (r.conflict IS NOT NULL) = ?1";

pub(super) const CONFLICT_TO_REVIEW: &str = "SELECT c.n, c.seq, c.entity, c.entity_id, c.field, c.rule, c.kept, c.lost, c.kept_by, c.lost_by,
    c.op_id, c.at, r.took_other, r.resolved_by, r.resolved_at, r.seq
    FROM conflicts c LEFT JOIN conflict_resolutions r ON r.conflict = c.n WHERE c.n = ?1";

pub(super) const RESOLVE_CONFLICT: &str = "INSERT INTO conflict_resolutions(conflict, took_other,
    resolved_by, resolved_at, seq) VALUES (?1, ?2, ?3, ?4, ?5)";
// (end console/conflicts)

// console/household (issue 26): what the phones' operations say about a household's file.
pub(super) const OPS_ABOUT: &str =
    "SELECT device_id, op_id, device_seq, hlc, entity, entity_id, device_time, received_at,
    server_seq, payload FROM ops WHERE entity = ?1 AND entity_id = ?2
    ORDER BY received_at DESC, device_id, device_seq DESC LIMIT ?3";
// (end console/household)

// reports/units (issue 27): the unit a piece of work belonged to when it was done.
/// A row unless it is the unit of the record's latest row (the same change written twice in
/// one transaction keeps its last unit).
pub(super) const PUT_UNIT_HISTORY: &str =
    "INSERT INTO unit_history(entity, id, seq, since, district, crew)
    SELECT ?1, ?2, ?3, ?4, ?5, ?6
    WHERE NOT EXISTS (
        SELECT 1 FROM (SELECT district, crew FROM unit_history WHERE entity = ?1 AND id = ?2
            ORDER BY seq DESC LIMIT 1) AS latest
        WHERE latest.district IS ?5 AND latest.crew IS ?6)
    ON CONFLICT(entity, id, seq) DO UPDATE SET since = excluded.since,
    district = excluded.district, crew = excluded.crew";

pub(super) const UNIT_HISTORY: &str =
    "SELECT entity, id, seq, since, district, crew FROM unit_history ORDER BY entity, id, seq";

pub(super) const UNIT_HISTORY_EMPTY: &str = "SELECT NOT EXISTS (SELECT 1 FROM unit_history)
    AND EXISTS (SELECT 1 FROM records WHERE entity IN ('household', 'technician') AND NOT deleted)";
// (end reports/units)

// backup (issue 27): what the server keeps about itself (its generation, its backups).
pub(super) const SERVER_META: &str = "SELECT value FROM server_meta WHERE name = ?1";
pub(super) const PUT_SERVER_META: &str = "INSERT INTO server_meta(name, value) VALUES (?1, ?2)
    ON CONFLICT(name) DO UPDATE SET value = excluded.value";
pub(super) const DROP_SERVER_META_STARTING: &str =
    "DELETE FROM server_meta WHERE substr(name, 1, length(?1)) = ?1";
// (end backup)
