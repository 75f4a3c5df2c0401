//! User story: a technician's store stays readable when the library that encrypts it changes.
//!
//! The core encrypts with its own SQLCipher crypto provider (RustCrypto, `store/cipher.rs`), not
//! OpenSSL. `fixtures/sqlcipher3-openssl.db` was written by Debian's `sqlcipher` command (SQLCipher
//! 3.4.1 on OpenSSL): a raw key, AES-256-CBC, HMAC-SHA1 and PBKDF2-HMAC-SHA1 for the HMAC key.
//! Reading it back proves the provider computes what OpenSSL computes, byte for byte, for every
//! primitive SQLCipher asks of it; the store's own settings (HMAC-SHA256) are proven by every
//! other store test, which writes and reads through the same provider.

use doorstep_core::store::StoreKey;
use rusqlite::Connection;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// A copy of the fixture, opened with `key` in SQLCipher 3's settings.
fn open_fixture(key: &str) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy("tests/fixtures/sqlcipher3-openssl.db", &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    // Keyed as the store keys (which waits for SQLCipher to be set up), then SQLCipher 3's
    // settings in place of the store's own, before the first read.
    StoreKey::from_hex(key).unwrap().unlock(&conn).unwrap();
    conn.execute_batch("PRAGMA cipher_compatibility = 3;")
        .unwrap();
    (dir, conn)
}

#[test]
fn a_file_encrypted_by_sqlcipher_on_openssl_reads_back() {
    let (_dir, conn) = open_fixture(KEY);
    let notes: Vec<String> = conn
        .prepare("SELECT note FROM visits ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(notes, ["燃气表读数 1234.5", "no one home"]);
    assert_eq!(
        conn.query_row("PRAGMA cipher_provider", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "rustcrypto"
    );
}

#[test]
fn the_wrong_key_reads_nothing() {
    let (_dir, conn) = open_fixture(&StoreKey::from_bytes([7; 32]).to_hex());
    assert!(
        conn.query_row("SELECT count(*) FROM visits", [], |r| r.get::<_, i64>(0))
            .is_err()
    );
}

/// Written and read back through the store's own settings, and the bytes on disk are not the
/// plaintext: the provider is not a pass-through.
#[test]
fn a_new_store_file_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let key = StoreKey::generate();
    {
        let conn = Connection::open(&path).unwrap();
        key.unlock(&conn).unwrap();
        conn.execute_batch(
            "CREATE TABLE visits(note TEXT); INSERT INTO visits VALUES ('文三路88号 三单元');",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let needle = "文三路88号".as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    assert!(!bytes.starts_with(b"SQLite format 3"));
    let conn = Connection::open(&path).unwrap();
    key.unlock(&conn).unwrap();
    let note: String = conn
        .query_row("SELECT note FROM visits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "文三路88号 三单元");
}
