//! Staff accounts (issue 26): created with `doorstep admin staff add` (the first
//! administrator at set-up) or on the console's staff page, roles, districts, argon2 password
//! hashes, deactivation.
//!
//! A password is kept only as its argon2id hash (PHC string, the crate's default parameters).
//! A generated one is [`GENERATED_LENGTH`] characters of an alphabet without look-alikes
//! (no `0`/`O`, `1`/`l`/`I`), shown once; a chosen one has at least [`MIN_PASSWORD`].

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use doorstep_core::InvalidInput;
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::text::said;
use rand::Rng;

use super::{Role, Staff};
use crate::admin::Act;
use crate::error::{Error, Result};
use crate::storage::{self, AuditRow, Storage, StorageError, Tx};

/// A member of staff as stored (`staff`).
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    /// A UUIDv7.
    pub id: String,
    /// Unique; lower case letters, digits, `.`, `_`, `-`.
    pub login: String,
    pub name: String,
    /// [`Role::as_str`].
    pub role: String,
    pub districts: Vec<DistrictId>,
    /// Argon2id, PHC string.
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub password_set_at: DateTime<Utc>,
}

impl StaffRow {
    /// Who this is when signed in (`None`: a role this version does not know).
    pub fn staff(&self) -> Option<Staff> {
        Some(Staff {
            id: self.id.clone(),
            login: self.login.clone(),
            name: self.name.clone(),
            role: Role::parse(&self.role)?,
            districts: self.districts.clone(),
        })
    }
}

/// A console session as stored (`staff_sessions`): keyed by the SHA-256 of the cookie's token.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub token_sha256: String,
    pub staff_id: String,
    /// The token every form of the session carries.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Failed sign-ins in a row for a login typed (`staff_sign_in_failures`).
#[derive(Debug, Clone, PartialEq)]
pub struct SignInFailures {
    pub login: String,
    pub failures: i64,
    pub last_failure: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// The length of a generated password.
pub const GENERATED_LENGTH: usize = 16;
/// The shortest password a person may choose.
pub const MIN_PASSWORD: usize = 12;
/// The longest (argon2 takes any length; a limit keeps a request from making it work hard).
pub const MAX_PASSWORD: usize = 256;
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// A new password of [`GENERATED_LENGTH`] characters from an unambiguous alphabet.
pub fn generate_password() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_LENGTH)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A password's argon2id hash (a fresh random salt), as a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    let salt: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Whether `password` is the one `hash` was made from.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password matches, checked when the login typed has no account (or a deactivated
/// one), so that a wrong login takes as long as a wrong password.
pub fn verify_nobody(password: &str) {
    static NOBODY: LazyLock<String> = LazyLock::new(|| {
        hash_password(&generate_password()).expect("argon2 hashes a generated password")
    });
    let _ = verify_password(&NOBODY, password);
}

/// A login as stored: trimmed, lower case; 2 to 64 letters, digits, `.`, `_` or `-`.
pub fn check_login(login: &str) -> std::result::Result<String, InvalidInput> {
    let login = normal_login(login);
    let fits = (2..=64).contains(&login.chars().count())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if fits {
        Ok(login)
    } else {
        Err(InvalidInput::new(
            "login",
            said(
                "登录名为 2 到 64 个字母、数字或 . _ -",
                "a login is 2 to 64 letters, digits or . _ -",
            ),
        ))
    }
}

/// A login as typed at the sign-in, as the failures are counted under it: trimmed, lower case,
/// at most 64 characters (a longer one is no one's).
pub fn normal_login(login: &str) -> String {
    login.trim().to_lowercase().chars().take(65).collect()
}

/// A password a person chose: [`MIN_PASSWORD`] to [`MAX_PASSWORD`] characters.
pub fn check_password(password: &str) -> std::result::Result<(), InvalidInput> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(InvalidInput::new(
            "password",
            said(
                format!("密码至少 {MIN_PASSWORD} 个字符"),
                format!("a password has at least {MIN_PASSWORD} characters"),
            ),
        ));
    }
    if n > MAX_PASSWORD {
        return Err(InvalidInput::new(
            "password",
            said(
                format!("密码至多 {MAX_PASSWORD} 个字符"),
                format!("a password has at most {MAX_PASSWORD} characters"),
            ),
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> std::result::Result<String, InvalidInput> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            "name",
            said(
                "请填写姓名（至多 64 个字符）",
                "give a name (at most 64 characters)",
            ),
        ));
    }
    Ok(name.to_owned())
}

/// A member of staff to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// A dispatcher's districts (at least one); ignored for the others, who see the city.
    pub districts: Vec<DistrictId>,
    /// A chosen password; `None`: one is generated.
    pub password: Option<String>,
}

/// Creates a member of staff (audited `staff_created`): the row and the password, when it was
/// generated (to show once).
pub fn create(
    storage: &dyn Storage,
    new: NewStaff,
    act: &Act,
) -> Result<(StaffRow, Option<String>)> {
    let login = check_login(&new.login)?;
    let name = check_name(&new.name)?;
    let mut districts = match new.role {
        Role::Dispatcher => new.districts,
        _ => Vec::new(),
    };
    districts.sort();
    districts.dedup();
    if new.role == Role::Dispatcher && districts.is_empty() {
        return Err(InvalidInput::new(
            "district",
            said(
                "调度员至少负责一个片区",
                "a dispatcher covers at least one district",
            ),
        )
        .into());
    }
    let (password, generated) = match new.password {
        Some(chosen) => {
            check_password(&chosen)?;
            (chosen, None)
        }
        None => {
            let p = generate_password();
            (p.clone(), Some(p))
        }
    };
    let row = StaffRow {
        id: uuid::Uuid::now_v7().to_string(),
        login,
        name,
        role: new.role.as_str().to_owned(),
        districts,
        password_hash: hash_password(&password)?,
        active: true,
        created_at: act.at,
        password_set_at: act.at,
    };
    storage::write(storage, |tx| {
        for d in &row.districts {
            let held = tx.record(Entity::District, &d.to_string())?;
            if held.is_none_or(|r| r.deleted) {
                return Err(Error::NotFound("district"));
            }
        }
        if tx.staff_by_login(&row.login)?.is_some() {
            return Err(login_taken());
        }
        tx.put_staff(&row).map_err(|e| match e {
            StorageError::Duplicate(_) => login_taken(),
            e => e.into(),
        })?;
        audit(tx, act, "staff_created", &row.id)
    })?;
    Ok((row, generated))
}

fn login_taken() -> Error {
    InvalidInput::new("login", said("该登录名已被使用", "this login is taken")).into()
}

/// Every member of staff, by login.
pub fn list(storage: &dyn Storage) -> Result<Vec<StaffRow>> {
    storage::read(storage, |tx| Ok(tx.staff_members()?))
}

/// A member of staff by login (as typed: trimmed, lower case).
pub fn by_login(tx: &mut dyn Tx, login: &str) -> Result<StaffRow> {
    tx.staff_by_login(&normal_login(login))?
        .ok_or(Error::NotFound("staff member"))
}

/// Deactivates a member of staff (audited `staff_deactivated`): they can no longer sign in,
/// and their sessions end now.
pub fn deactivate(storage: &dyn Storage, id: &str, act: &Act) -> Result<StaffRow> {
    storage::write(storage, |tx| {
        let mut row = tx
            .staff_member(id)?
            .ok_or(Error::NotFound("staff member"))?;
        tx.drop_staff_sessions(&row.id)?;
        if row.active {
            row.active = false;
            tx.put_staff(&row)?;
            audit(tx, act, "staff_deactivated", &row.id)?;
        }
        Ok(row)
    })
}

/// Gives a member of staff a new password (audited `staff_password_set`): the generated one,
/// to show once, when `chosen` is `None`. Their sessions end now.
pub fn set_password(
    storage: &dyn Storage,
    id: &str,
    chosen: Option<String>,
    act: &Act,
) -> Result<(StaffRow, Option<String>)> {
    let (password, generated) = match chosen {
        Some(chosen) => {
            check_password(&chosen)?;
            (chosen, None)
        }
        None => {
            let p = generate_password();
            (p.clone(), Some(p))
        }
    };
    let hash = hash_password(&password)?;
    let row = storage::write(storage, |tx| {
        let mut row = tx
            .staff_member(id)?
            .ok_or(Error::NotFound("staff member"))?;
        row.password_hash = hash.clone();
        row.password_set_at = act.at;
        tx.put_staff(&row)?;
        tx.drop_staff_sessions(&row.id)?;
        audit(tx, act, "staff_password_set", &row.id)?;
        Ok(row)
    })?;
    Ok((row, generated))
}

fn audit(tx: &mut dyn Tx, act: &Act, action: &str, id: &str) -> Result<()> {
    tx.audit(&AuditRow {
        at: act.at,
        actor: act.actor.clone(),
        device_id: None,
        action: action.to_owned(),
        entity: Some("staff".to_owned()),
        entity_id: Some(id.to_owned()),
    })?;
    Ok(())
}

/// The staff's names by login: the office's records keep who did something by login (the
/// audit log's `staff:<login>`, a call's taker, an outage's author); a page shows the name.
/// An operator of the admin tool has no account: their login stays as it is.
pub fn names_by_login(
    tx: &mut dyn crate::storage::Tx,
) -> crate::error::Result<std::collections::HashMap<String, String>> {
    Ok(tx
        .staff_members()?
        .into_iter()
        .map(|s| (s.login, s.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_password_is_16_unambiguous_characters_and_verifies_against_its_hash() {
        let p = generate_password();
        assert_eq!(p.chars().count(), GENERATED_LENGTH);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
        let hash = hash_password(&p).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, &p));
        assert!(!verify_password(&hash, "not the password"));
        assert_ne!(generate_password(), p);
    }

    #[test]
    fn a_chosen_password_needs_twelve_characters_and_a_login_plain_letters() {
        assert!(check_password("short").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert_eq!(check_login("  WangLi ").unwrap(), "wangli");
        assert!(check_login("wang li").is_err());
        assert!(check_login("<script>").is_err());
    }
}
