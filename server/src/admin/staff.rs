//! `doorstep admin staff`: the console's staff accounts (issue 26). What they are and the rules
//! of their passwords are in [`crate::console::account`]; this words them for the operator.

use std::io::Read;

use crate::console::Role;
use crate::console::account::{self, NewStaff, StaffRow};
use crate::storage::{self, Storage};

use super::{Act, StaffAdd, message, tsv};

/// Adds a member of staff: a line saying so, and the generated password (shown only now).
pub(super) fn add(storage: &dyn Storage, args: StaffAdd, act: &Act) -> Result<String, String> {
    let role = Role::parse(&args.role).ok_or("--role: dispatcher, supervisor, administrator")?;
    let password = if args.password_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let (row, generated) = account::create(
        storage,
        NewStaff {
            login: args.login,
            name: args.name,
            role,
            districts: args.districts,
            password,
        },
        act,
    )
    .map_err(message)?;
    let mut out = format!(
        "已添加员工 {login}（{role}） / staff member {login} added ({role})\n",
        login = row.login,
        role = row.role
    );
    if let Some(password) = generated {
        out.push_str(&shown_once(&password));
    }
    Ok(out)
}

/// The staff accounts, one line each: login, role, active, districts, name.
pub(super) fn list(storage: &dyn Storage) -> Result<String, String> {
    let rows = account::list(storage).map_err(message)?;
    Ok(rows.iter().map(|r| line(r) + "\n").collect())
}

fn line(r: &StaffRow) -> String {
    let districts = if r.districts.is_empty() {
        "-".to_owned()
    } else {
        r.districts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    tsv(&[
        r.login.clone(),
        r.role.clone(),
        if r.active { "active" } else { "inactive" }.to_owned(),
        districts,
        r.name.clone(),
    ])
}

pub(super) fn deactivate(storage: &dyn Storage, login: &str, act: &Act) -> Result<String, String> {
    let row = find(storage, login)?;
    let row = account::deactivate(storage, &row.id, act).map_err(message)?;
    Ok(format!(
        "已停用员工 {login} / staff member {login} deactivated",
        login = row.login
    ))
}

/// A new password: the generated one printed once, or one read from standard input.
pub(super) fn password(
    storage: &dyn Storage,
    login: &str,
    from_stdin: bool,
    act: &Act,
) -> Result<String, String> {
    let row = find(storage, login)?;
    let chosen = if from_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let (row, generated) = account::set_password(storage, &row.id, chosen, act).map_err(message)?;
    let mut out = format!(
        "已为 {login} 设置新密码，其登录已全部退出 / {login} has a new password; their sessions ended\n",
        login = row.login
    );
    if let Some(password) = generated {
        out.push_str(&shown_once(&password));
    }
    Ok(out)
}

fn find(storage: &dyn Storage, login: &str) -> Result<StaffRow, String> {
    storage::read(storage, |tx| account::by_login(tx, login)).map_err(|e| match e {
        crate::error::Error::NotFound(_) => {
            format!("找不到该员工 / no staff member with the login {login}")
        }
        e => message(e),
    })
}

fn shown_once(password: &str) -> String {
    format!("密码（只显示这一次） / password (shown only now): {password}\n")
}

/// A password typed on standard input (its line ending dropped).
fn read_password() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("标准输入 / standard input: {e}"))?;
    let password = text.strip_suffix('\n').unwrap_or(&text);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_owned())
}
