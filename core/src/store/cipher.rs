//! SQLCipher's crypto provider, written against RustCrypto instead of OpenSSL.
//!
//! SQLCipher reaches its ciphers through a small table of functions (`sqlcipher_provider` in
//! its `sqlcipher.h`). Its stock provider calls OpenSSL, and OpenSSL 3 cannot be linked in
//! part: its default provider names every algorithm it has, so the phones carried 3.7 MB of
//! libcrypto for AES-CBC, HMAC and PBKDF2. This table does the same four things with the
//! RustCrypto crates the core already uses for the photo vault (AES with the CPU's AES
//! instructions where it has them, SHA-2 likewise), for a few kilobytes.
//!
//! The build selects it with `SQLCIPHER_CRYPTO_CUSTOM=doorstep_sqlcipher_setup` (see
//! `.cargo/config.toml`); SQLCipher calls [`doorstep_sqlcipher_setup`] once, the first time
//! SQLite initialises. The file format is SQLCipher's own: AES-256-CBC pages with a random IV
//! and an HMAC per page, so a store written with the OpenSSL provider opens with this one and
//! the other way round.
//!
//! Every function here is called by C: none may unwind. They check their arguments and
//! answer `SQLITE_ERROR` rather than panic.

use std::ffi::{c_char, c_int, c_void};

use aes::Aes256;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

const SQLITE_OK: c_int = 0;
const SQLITE_ERROR: c_int = 1;

const ENCRYPT: c_int = 1;
const DECRYPT: c_int = 0;

// `SQLCIPHER_HMAC_*` and `SQLCIPHER_PBKDF2_HMAC_*` share these numbers.
const SHA1: c_int = 0;
const SHA256: c_int = 1;
const SHA512: c_int = 2;

const KEY_SIZE: c_int = 32;
const BLOCK_SIZE: c_int = 16;

/// `struct sqlcipher_provider`, field for field (SQLCipher 4.x).
#[repr(C)]
pub struct SqlcipherProvider {
    init: Option<unsafe extern "C" fn() -> c_int>,
    shutdown: Option<unsafe extern "C" fn()>,
    get_provider_name: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    add_random: Option<unsafe extern "C" fn(*mut c_void, *const c_void, c_int) -> c_int>,
    random: Option<unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int>,
    hmac: Option<
        unsafe extern "C" fn(
            *mut c_void,
            c_int,
            *const u8,
            c_int,
            *const u8,
            c_int,
            *const u8,
            c_int,
            *mut u8,
        ) -> c_int,
    >,
    kdf: Option<
        unsafe extern "C" fn(
            *mut c_void,
            c_int,
            *const u8,
            c_int,
            *const u8,
            c_int,
            c_int,
            c_int,
            *mut u8,
        ) -> c_int,
    >,
    cipher: Option<
        unsafe extern "C" fn(
            *mut c_void,
            c_int,
            *const u8,
            c_int,
            *const u8,
            *const u8,
            c_int,
            *mut u8,
        ) -> c_int,
    >,
    get_cipher: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    get_key_sz: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_iv_sz: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_block_sz: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_hmac_sz: Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>,
    ctx_init: Option<unsafe extern "C" fn(*mut *mut c_void) -> c_int>,
    ctx_free: Option<unsafe extern "C" fn(*mut *mut c_void) -> c_int>,
    fips_status: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    get_provider_version: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    next: *mut SqlcipherProvider,
}

/// Fills SQLCipher's provider table. Named by `SQLCIPHER_CRYPTO_CUSTOM` at build time.
///
/// # Safety
/// `provider` points to a `sqlcipher_provider` SQLCipher allocated (or is null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn doorstep_sqlcipher_setup(provider: *mut SqlcipherProvider) -> c_int {
    // SAFETY: SQLCipher hands a valid, exclusively owned table; null is refused.
    let Some(p) = (unsafe { provider.as_mut() }) else {
        return SQLITE_ERROR;
    };
    p.init = None;
    p.shutdown = None;
    p.get_provider_name = Some(provider_name);
    p.add_random = Some(add_random);
    p.random = Some(random);
    p.hmac = Some(page_hmac);
    p.kdf = Some(derive_key);
    p.cipher = Some(page_cipher);
    p.get_cipher = Some(cipher_name);
    p.get_key_sz = Some(key_size);
    p.get_iv_sz = Some(block_size);
    p.get_block_sz = Some(block_size);
    p.get_hmac_sz = Some(hmac_size);
    p.ctx_init = Some(ctx_init);
    p.ctx_free = Some(ctx_free);
    p.fips_status = Some(fips_status);
    p.get_provider_version = Some(provider_version);
    SQLITE_OK
}

/// Makes sure the provider is linked into every program that links SQLite, whatever it calls:
/// SQLite refers to it, but a linker reading the core before SQLite does not know that yet.
pub(crate) fn keep_linked() {
    std::hint::black_box(doorstep_sqlcipher_setup as unsafe extern "C" fn(_) -> _);
}

unsafe extern "C" {
    /// SQLCipher's set-up hook: the function SQLCipher must be built to run as SQLite's
    /// `SQLITE_EXTRA_INIT`. It is idempotent and does its work under SQLite's main mutex.
    fn sqlcipher_extra_init(arg: *const c_char) -> c_int;
}

/// Waits until SQLCipher is set up in this process, setting it up if no thread has yet.
///
/// SQLite marks itself initialised before it calls SQLCipher's set-up hook, so a thread opening
/// its first connection while another thread was still inside the hook found SQLCipher unready,
/// and `PRAGMA key` failed with "An error occurred with PRAGMA key or rekey" (seen on CI now
/// and then, `tests/first_open.rs` reproduces it). Running the hook ourselves before keying
/// waits for the other thread's run under the mutex it holds, or does the work if none has.
/// (Running the hook inside SQLite's initialisation, `SQLITE_EXTRA_INIT_MUTEXED`, deadlocks: the
/// hook allocates mutexes, which re-enters the initialisation under the mutex it holds.)
pub(crate) fn ensure_ready() -> rusqlite::Result<()> {
    // SAFETY: the hook takes no argument and may be called any number of times, from any thread,
    // once SQLite is initialised; opening the connection about to be keyed initialised it.
    let rc = unsafe { sqlcipher_extra_init(std::ptr::null()) };
    if rc == SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rc),
            Some("the database encryption could not be set up".into()),
        ))
    }
}

unsafe extern "C" fn provider_name(_ctx: *mut c_void) -> *const c_char {
    c"rustcrypto".as_ptr()
}

unsafe extern "C" fn provider_version(_ctx: *mut c_void) -> *const c_char {
    c"aes 0.8, cbc 0.1, hmac 0.12, pbkdf2 0.12, sha1 0.10, sha2 0.10".as_ptr()
}

unsafe extern "C" fn cipher_name(_ctx: *mut c_void) -> *const c_char {
    c"aes-256-cbc".as_ptr()
}

unsafe extern "C" fn key_size(_ctx: *mut c_void) -> c_int {
    KEY_SIZE
}

unsafe extern "C" fn block_size(_ctx: *mut c_void) -> c_int {
    BLOCK_SIZE
}

unsafe extern "C" fn hmac_size(_ctx: *mut c_void, algorithm: c_int) -> c_int {
    match algorithm {
        SHA1 => 20,
        SHA256 => 32,
        SHA512 => 64,
        _ => 0,
    }
}

unsafe extern "C" fn ctx_init(_ctx: *mut *mut c_void) -> c_int {
    SQLITE_OK
}

unsafe extern "C" fn ctx_free(_ctx: *mut *mut c_void) -> c_int {
    SQLITE_OK
}

unsafe extern "C" fn fips_status(_ctx: *mut c_void) -> c_int {
    0
}

/// The operating system's generator needs no seeding from SQLCipher.
unsafe extern "C" fn add_random(
    _ctx: *mut c_void,
    _buffer: *const c_void,
    _length: c_int,
) -> c_int {
    SQLITE_OK
}

unsafe extern "C" fn random(_ctx: *mut c_void, buffer: *mut c_void, length: c_int) -> c_int {
    // SAFETY: SQLCipher passes a writable buffer of `length` bytes.
    let Some(out) = (unsafe { slice_mut(buffer.cast(), length) }) else {
        return SQLITE_ERROR;
    };
    // The thread's generator is a CSPRNG seeded and reseeded from the operating system.
    rand::rng().fill_bytes(out);
    SQLITE_OK
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn page_hmac(
    _ctx: *mut c_void,
    algorithm: c_int,
    key: *const u8,
    key_size: c_int,
    input: *const u8,
    input_size: c_int,
    input2: *const u8,
    input2_size: c_int,
    out: *mut u8,
) -> c_int {
    // SAFETY: SQLCipher passes readable buffers of the given sizes and an output buffer of
    // `hmac_size(algorithm)` bytes; `input2` may be null.
    let (Some(key), Some(input)) = (unsafe { slice(key, key_size) }, unsafe {
        slice(input, input_size)
    }) else {
        return SQLITE_ERROR;
    };
    let input2 = if input2.is_null() {
        &[][..]
    } else {
        match unsafe { slice(input2, input2_size) } {
            Some(bytes) => bytes,
            None => return SQLITE_ERROR,
        }
    };
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: [&[u8]; 2], out: *mut u8) -> c_int {
        let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(key) else {
            return SQLITE_ERROR;
        };
        for part in parts {
            mac.update(part);
        }
        let tag = mac.finalize().into_bytes();
        // SAFETY: the caller sized `out` for this algorithm's tag.
        unsafe { std::ptr::copy_nonoverlapping(tag.as_ptr(), out, tag.len()) };
        SQLITE_OK
    }
    if out.is_null() {
        return SQLITE_ERROR;
    }
    match algorithm {
        SHA1 => mac::<Hmac<Sha1>>(key, [input, input2], out),
        SHA256 => mac::<Hmac<Sha256>>(key, [input, input2], out),
        SHA512 => mac::<Hmac<Sha512>>(key, [input, input2], out),
        _ => SQLITE_ERROR,
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn derive_key(
    _ctx: *mut c_void,
    algorithm: c_int,
    pass: *const u8,
    pass_size: c_int,
    salt: *const u8,
    salt_size: c_int,
    work_factor: c_int,
    key_size: c_int,
    key: *mut u8,
) -> c_int {
    // SAFETY: readable passphrase and salt, writable key, each of the given size.
    let (Some(pass), Some(salt), Some(key)) = (
        unsafe { slice(pass, pass_size) },
        unsafe { slice(salt, salt_size) },
        unsafe { slice_mut(key, key_size) },
    ) else {
        return SQLITE_ERROR;
    };
    let Ok(rounds) = u32::try_from(work_factor) else {
        return SQLITE_ERROR;
    };
    if rounds == 0 {
        return SQLITE_ERROR;
    }
    match algorithm {
        SHA1 => pbkdf2::pbkdf2_hmac::<Sha1>(pass, salt, rounds, key),
        SHA256 => pbkdf2::pbkdf2_hmac::<Sha256>(pass, salt, rounds, key),
        SHA512 => pbkdf2::pbkdf2_hmac::<Sha512>(pass, salt, rounds, key),
        _ => return SQLITE_ERROR,
    }
    SQLITE_OK
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn page_cipher(
    _ctx: *mut c_void,
    mode: c_int,
    key: *const u8,
    key_size: c_int,
    iv: *const u8,
    input: *const u8,
    input_size: c_int,
    out: *mut u8,
) -> c_int {
    if key_size != KEY_SIZE || input_size % BLOCK_SIZE != 0 || input.is_null() || out.is_null() {
        return SQLITE_ERROR;
    }
    // SAFETY: a 32-byte key, a 16-byte IV, and input and output buffers of `input_size` bytes.
    // The output is filled with the input first (they may be the same buffer, so an
    // overlapping copy), then transformed in place.
    let (Some(key), Some(iv)) = (unsafe { slice(key, KEY_SIZE) }, unsafe {
        slice(iv, BLOCK_SIZE)
    }) else {
        return SQLITE_ERROR;
    };
    let len = input_size as usize;
    unsafe { std::ptr::copy(input, out, len) };
    let Some(buffer) = (unsafe { slice_mut(out, input_size) }) else {
        return SQLITE_ERROR;
    };
    let done = match mode {
        ENCRYPT => cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
            .ok()
            .and_then(|c| {
                c.encrypt_padded_mut::<NoPadding>(buffer, len)
                    .ok()
                    .map(drop)
            }),
        DECRYPT => cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .ok()
            .and_then(|c| c.decrypt_padded_mut::<NoPadding>(buffer).ok().map(drop)),
        _ => None,
    };
    if done.is_some() {
        SQLITE_OK
    } else {
        SQLITE_ERROR
    }
}

/// # Safety
/// `ptr` is null or points to `len` readable bytes.
unsafe fn slice<'a>(ptr: *const u8, len: c_int) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(&[]);
    }
    (!ptr.is_null()).then(|| unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// # Safety
/// `ptr` is null or points to `len` writable bytes no one else reads meanwhile.
unsafe fn slice_mut<'a>(ptr: *mut u8, len: c_int) -> Option<&'a mut [u8]> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(&mut []);
    }
    (!ptr.is_null()).then(|| unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt), first two blocks: the provider speaks
    /// standard AES-256-CBC, so files stay readable by SQLCipher built with OpenSSL.
    #[test]
    fn a_store_page_is_standard_aes_256_cbc() {
        let key = hex::decode("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
            .unwrap();
        let iv = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
        let plain = hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
            .unwrap();
        let mut out = vec![0u8; plain.len()];
        let rc = unsafe {
            page_cipher(
                std::ptr::null_mut(),
                ENCRYPT,
                key.as_ptr(),
                32,
                iv.as_ptr(),
                plain.as_ptr(),
                plain.len() as c_int,
                out.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_OK);
        assert_eq!(
            hex::encode(&out),
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
        );
        let mut back = out.clone();
        let rc = unsafe {
            page_cipher(
                std::ptr::null_mut(),
                DECRYPT,
                key.as_ptr(),
                32,
                iv.as_ptr(),
                back.as_ptr(),
                back.len() as c_int,
                back.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_OK);
        assert_eq!(back, plain);
    }

    /// RFC 4231 test case 2, and the same key split over SQLCipher's two inputs.
    #[test]
    fn a_page_hmac_is_standard_hmac_sha256_and_sha512() {
        let key = b"Jefe";
        let data = b"what do ya want for nothing?";
        let mut out = [0u8; 64];
        let (a, b) = data.split_at(10);
        let rc = unsafe {
            page_hmac(
                std::ptr::null_mut(),
                SHA256,
                key.as_ptr(),
                4,
                a.as_ptr(),
                a.len() as c_int,
                b.as_ptr(),
                b.len() as c_int,
                out.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_OK);
        assert_eq!(
            hex::encode(&out[..32]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let rc = unsafe {
            page_hmac(
                std::ptr::null_mut(),
                SHA512,
                key.as_ptr(),
                4,
                data.as_ptr(),
                data.len() as c_int,
                std::ptr::null(),
                0,
                out.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_OK);
        assert_eq!(
            hex::encode(out),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    /// RFC 6070 test case 2 (PBKDF2-HMAC-SHA1, 2 iterations), the derivation SQLCipher uses
    /// for the page HMAC key.
    #[test]
    fn the_hmac_key_derivation_is_standard_pbkdf2() {
        let mut key = [0u8; 20];
        let rc = unsafe {
            derive_key(
                std::ptr::null_mut(),
                SHA1,
                b"password".as_ptr(),
                8,
                b"salt".as_ptr(),
                4,
                2,
                20,
                key.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_OK);
        assert_eq!(hex::encode(key), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
    }

    #[test]
    fn bad_arguments_are_refused_not_crashed_on() {
        let mut out = [0u8; 16];
        let rc = unsafe {
            page_cipher(
                std::ptr::null_mut(),
                ENCRYPT,
                std::ptr::null(),
                32,
                std::ptr::null(),
                out.as_ptr(),
                16,
                out.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_ERROR);
        let rc = unsafe {
            page_cipher(
                std::ptr::null_mut(),
                ENCRYPT,
                [0u8; 32].as_ptr(),
                32,
                [0u8; 16].as_ptr(),
                out.as_ptr(),
                15,
                out.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_ERROR);
        assert_eq!(unsafe { hmac_size(std::ptr::null_mut(), 7) }, 0);
    }
}
