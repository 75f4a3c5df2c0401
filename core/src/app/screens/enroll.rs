//! Enroll screen: the server address and the one-time code, typed or read from a QR code; the
//! progress while the phone enrolls, and why it did not, in words beside the field concerned.
//!
//! Enrolling talks to the server, so it never runs inside `handle`: Submit checks the fields,
//! marks the input as enrolling and asks the shell for [`Effect::RunEnrollment`]; the shell
//! calls `App::run_enrollment` on a worker ([`run`] here), and the screen stays drawable
//! meanwhile. A QR code for enrollment reads `doorstep://enroll?server=<url>&code=<code>`
//! (the server address percent-encoded); a code alone fills the code field.

use serde::{Deserialize, Serialize};

use super::{Action, Answer, Cx, Outcome, Purpose};
use crate::app::effect::{Effect, Symbology};
use crate::app::event::EffectFailure;
use crate::error::{Error, Result};
use crate::sync::protocol::ErrorKind;
use crate::text::{Text, said};

/// What the Enroll screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollScreen {
    pub title: String,
    /// What to do here, in a sentence.
    pub intro: String,
    pub server: EnrollField,
    pub code: EnrollField,
    pub scan: Action,
    pub submit: Action,
    /// "正在登记…" while the phone enrolls.
    pub progress: Option<String>,
    /// A message for the whole screen: no network, a device revoked and wiped.
    pub message: Option<String>,
}

/// A text field of the Enroll screen, with what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollField {
    pub label: String,
    pub value: String,
    pub placeholder: String,
    pub problem: Option<String>,
    pub accessibility: String,
}

/// What the user does on the Enroll screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnrollEvent {
    Refresh,
    SetServer {
        text: String,
    },
    SetCode {
        text: String,
    },
    /// Read the server and code from the service center's QR code.
    Scan,
    Submit,
}

/// The input typed on the Enroll screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnrollInput {
    pub server: String,
    pub code: String,
    /// The enrollment runs on the shell's worker (a killed process forgets it: the user
    /// presses again).
    #[serde(skip)]
    pub enrolling: bool,
    pub server_problem: Option<Text>,
    pub code_problem: Option<Text>,
    pub message: Option<Text>,
}

/// What an effect asked from the Enroll screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnrollPurpose {
    Nothing,
    Scan,
}

pub fn render(cx: &Cx<'_>, input: &EnrollInput) -> Result<EnrollScreen> {
    let field = |label: Text, value: &str, placeholder: Text, problem: &Option<Text>| {
        let label = cx.t(&label);
        let problem = problem.as_ref().map(|p| cx.t(p));
        let shown = if value.is_empty() {
            cx.say("未填写", "empty")
        } else {
            value.to_owned()
        };
        let accessibility = match &problem {
            Some(p) => cx.say(
                &format!("{label}：{shown}，{p}"),
                &format!("{label}: {shown}, {p}"),
            ),
            None => cx.say(&format!("{label}：{shown}"), &format!("{label}: {shown}")),
        };
        EnrollField {
            label,
            value: value.to_owned(),
            placeholder: cx.t(&placeholder),
            problem,
            accessibility,
        }
    };
    let submit_label = said("登记本机", "Enroll this phone");
    let submit = if input.enrolling {
        Action::disabled(cx, &submit_label, &said("正在登记", "enrolling now"))
    } else if input.server.trim().is_empty() || input.code.trim().is_empty() {
        Action::disabled(
            cx,
            &submit_label,
            &said(
                "请填写服务器地址和登记码",
                "enter the server address and the code",
            ),
        )
    } else {
        Action::new(cx, &submit_label, true)
    };
    let scan_label = said("扫描登记二维码", "Scan the enrollment QR code");
    let scan = if input.enrolling {
        Action::disabled(cx, &scan_label, &said("正在登记", "enrolling now"))
    } else {
        Action::new(cx, &scan_label, true)
    };
    Ok(EnrollScreen {
        title: cx.say("登记本机", "Enroll this phone"),
        intro: cx.say(
            "请输入服务中心提供的服务器地址和一次性登记码，或扫描登记二维码。",
            "Enter the server address and the one-time code from the service center, or scan its QR code.",
        ),
        server: field(
            said("服务器地址", "Server address"),
            &input.server,
            said("https://…", "https://…"),
            &input.server_problem,
        ),
        code: field(
            said("登记码", "Enrollment code"),
            &input.code,
            said("一次性登记码", "one-time code"),
            &input.code_problem,
        ),
        scan,
        submit,
        progress: input
            .enrolling
            .then(|| cx.say("正在登记…", "Enrolling…")),
        message: input.message.as_ref().map(|m| cx.t(m)),
    })
}

pub fn handle(
    cx: &mut Cx<'_>,
    input: &mut EnrollInput,
    event: EnrollEvent,
    _syncer: &crate::device_sync::Syncer,
    _config: &crate::app::AppConfig,
) -> Result<Outcome> {
    if input.enrolling && !matches!(event, EnrollEvent::Refresh) {
        return Ok(Outcome::stay().problem(said("正在登记，请稍候", "enrolling now: please wait")));
    }
    match event {
        EnrollEvent::Refresh => Ok(Outcome::stay()),
        EnrollEvent::SetServer { text } => {
            input.server = text;
            input.server_problem = None;
            Ok(Outcome::stay())
        }
        EnrollEvent::SetCode { text } => {
            input.code = text;
            input.code_problem = None;
            Ok(Outcome::stay())
        }
        EnrollEvent::Scan => {
            let request = cx.ask(Purpose::Enroll(EnrollPurpose::Scan), None);
            Ok(Outcome::stay().with_effect(Effect::Scan {
                request,
                kinds: vec![Symbology::Qr],
                prompt: cx.say(
                    "扫描服务中心的登记二维码",
                    "Scan the service center's QR code",
                ),
            }))
        }
        EnrollEvent::Submit => {
            input.message = None;
            input.server_problem = server_problem(&input.server);
            input.code_problem = input
                .code
                .trim()
                .is_empty()
                .then(|| said("请填写登记码", "enter the enrollment code"));
            if input.server_problem.is_some() || input.code_problem.is_some() {
                return Ok(Outcome::stay());
            }
            input.enrolling = true;
            Ok(Outcome::stay().with_effect(Effect::RunEnrollment))
        }
    }
}

/// The answer to an effect this screen asked for.
pub fn answer(
    _cx: &mut Cx<'_>,
    input: &mut EnrollInput,
    purpose: EnrollPurpose,
    answer: Answer,
) -> Result<Outcome> {
    match (purpose, answer) {
        (EnrollPurpose::Scan, Answer::Scanned { text }) => match read_qr(&text) {
            Some(Scanned { server, code }) => {
                if let Some(server) = server {
                    input.server = server;
                    input.server_problem = None;
                }
                input.code = code;
                input.code_problem = None;
                Ok(Outcome::stay())
            }
            None => Ok(Outcome::stay().problem(said(
                "这不是登记二维码，请扫描服务中心提供的二维码",
                "this is not an enrollment QR code: scan the one from the service center",
            ))),
        },
        (_, Answer::Failed(EffectFailure::Cancelled)) => Ok(Outcome::stay()),
        (_, Answer::Failed(EffectFailure::Denied)) => Ok(Outcome::stay().problem(said(
            "未允许使用相机，请手动输入登记码",
            "the camera was not allowed: type the code instead",
        ))),
        (_, Answer::Failed(EffectFailure::Unavailable)) => Ok(Outcome::stay().problem(said(
            "无法扫描，请手动输入登记码",
            "scanning is not possible: type the code instead",
        ))),
        _ => Ok(Outcome::stay()),
    }
}

/// What to enroll with once Submit was pressed: the server and the code, trimmed.
pub fn to_enroll(input: &EnrollInput) -> Option<(String, String)> {
    input
        .enrolling
        .then(|| (input.server.trim().to_owned(), input.code.trim().to_owned()))
}

/// Puts why an enrollment failed beside the field it concerns (or over the screen), in words
/// without the server's detail.
pub fn failed(input: &mut EnrollInput, e: &Error) {
    input.enrolling = false;
    match e {
        Error::Invalid(invalid) if invalid.field == "server" => {
            input.server_problem = Some(said(
                "必须是 http:// 或 https:// 开头的地址",
                "must be an http:// or https:// address",
            ));
        }
        Error::Auth { .. }
        | Error::Refused {
            kind: ErrorKind::Unauthorized | ErrorKind::Invalid | ErrorKind::Malformed,
            ..
        } => {
            input.code_problem = Some(said(
                "登记码错误、已使用或已过期，请向服务中心重新申请",
                "the code is wrong, used or expired: ask the service center for a new one",
            ));
        }
        Error::Network { .. } => {
            input.message = Some(said(
                "无法连接服务器：请检查网络和服务器地址后重试",
                "the server cannot be reached: check the network and the address, then try again",
            ));
        }
        Error::Refused {
            kind: ErrorKind::NotFound | ErrorKind::MethodNotAllowed,
            ..
        }
        | Error::Protocol { .. } => {
            input.server_problem = Some(said(
                "该地址不是 Doorstep 服务器，请核对",
                "this address is not a Doorstep server: check it",
            ));
        }
        Error::Refused { kind, .. } => input.message = Some(crate::words::refusal(*kind)),
        _ => {
            input.message = Some(said(
                "登记失败，请稍后重试",
                "the enrollment failed: try again later",
            ))
        }
    }
}

/// Why the server address cannot be used, before any request.
fn server_problem(server: &str) -> Option<Text> {
    let server = server.trim();
    if server.is_empty() {
        Some(said("请填写服务器地址", "enter the server address"))
    } else if !(server.starts_with("https://") || server.starts_with("http://"))
        || server.contains(char::is_whitespace)
    {
        Some(said(
            "必须是 http:// 或 https:// 开头的地址",
            "must be an http:// or https:// address",
        ))
    } else {
        None
    }
}

/// What an enrollment QR code holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub server: Option<String>,
    pub code: String,
}

/// Reads `doorstep://enroll?server=<url>&code=<code>` (in any order, the server
/// percent-encoded), or a bare code of letters, digits and dashes.
pub fn read_qr(text: &str) -> Option<Scanned> {
    let text = text.trim();
    if let Some(query) = text.strip_prefix("doorstep://enroll?") {
        let (mut server, mut code) = (None, None);
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=')?;
            let value = percent_decode(value)?;
            match key {
                "server" if server_problem(&value).is_none() => {
                    server = Some(value.trim().to_owned())
                }
                "code" if is_code(&value) => code = Some(value),
                _ => return None,
            }
        }
        return Some(Scanned {
            server,
            code: code?,
        });
    }
    is_code(text).then(|| Scanned {
        server: None,
        code: text.to_owned(),
    })
}

fn is_code(text: &str) -> bool {
    (4..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn percent_encode(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    proptest! {
        #[test]
        fn any_enrollment_link_the_office_makes_reads_back_as_its_server_and_code(
            host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,5}){1,2}",
            port in proptest::option::of(1u16..),
            https in any::<bool>(),
            code in "[A-Z0-9][A-Z0-9_-]{3,40}",
        ) {
            let scheme = if https { "https" } else { "http" };
            let server = match port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            };
            let link = format!(
                "doorstep://enroll?server={}&code={}",
                percent_encode(&server),
                percent_encode(&code)
            );
            prop_assert_eq!(read_qr(&link), Some(Scanned { server: Some(server), code }));
        }

        #[test]
        fn no_scanned_text_makes_the_reader_panic(text in ".{0,200}") {
            let _ = read_qr(&text);
        }
    }

    #[test]
    fn an_enrollment_qr_code_gives_the_server_and_the_code_and_anything_else_is_refused() {
        let read =
            read_qr("doorstep://enroll?server=https%3A%2F%2Fgas.example.cn%3A8443&code=AB12-CD34");
        assert_eq!(
            read,
            Some(Scanned {
                server: Some("https://gas.example.cn:8443".into()),
                code: "AB12-CD34".into()
            })
        );
        assert_eq!(read_qr("AB12CD34").unwrap().server, None);
        assert_eq!(read_qr("https://example.com"), None);
        assert_eq!(
            read_qr("doorstep://enroll?server=ftp%3A%2F%2Fx&code=AB12"),
            None
        );
        assert_eq!(read_qr("doorstep://enroll?code=%ZZ"), None);
        assert_eq!(read_qr("doorstep://enroll?server=https%3A%2F%2Fx"), None);
    }
}
