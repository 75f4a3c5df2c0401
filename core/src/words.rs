//! What the core says to the technician about what went wrong, in the users' two languages:
//! why the server refused a change, why a form item is not complete. (A state's own name is
//! its enum's `label()`, beside it: `WorkOrderStatus::label`, `ShutOffReason::label`.)
//! Chinese first (the users read it), English beside; neither ever holds a person's data.

use crate::forms::form::ProblemKind;
use crate::forms::template::SignerRole;
use crate::media::MediaError;
use crate::sync::protocol::{ErrorKind, Operation};
use crate::text::{Text, said};

/// What a refusal of the server means for the technician, by the protocol's error kind (the
/// server's own message is English detail for the back office). A kind this build does not know
/// (from a newer server) still reads as a refusal.
pub fn refusal(kind: ErrorKind) -> Text {
    use ErrorKind as K;
    let (zh, en) = match kind {
        K::Forbidden => (
            "不在您的负责范围内，服务器未接收",
            "outside your district or assignments: the server did not accept it",
        ),
        K::NotFound => (
            "服务中心已删除该户或工单，服务器未接收",
            "the service center deleted this household or order: the server did not accept it",
        ),
        K::Invalid | K::Malformed => (
            "内容不符合规则，服务器未接收，请核对后重新填写",
            "it breaks a rule: the server did not accept it; check it and enter it again",
        ),
        K::Conflict => (
            "与服务中心的记录冲突（如户号已被占用），请联系服务中心",
            "it conflicts with the service center's records (for example a customer number already taken): call the service center",
        ),
        K::FormTampered => (
            "表单签封后被改动，服务器拒收，请联系服务中心",
            "the form was changed after it was sealed: the server refused it; call the service center",
        ),
        K::PhotoMismatch => (
            "照片文件已损坏，与签封时不一致",
            "the photo file is damaged: it no longer matches what was sealed",
        ),
        K::Unauthorized => (
            "本设备未登记或凭证无效，请向服务中心重新申请登记码",
            "this device is not enrolled or its credential is not valid: ask the service center for a new code",
        ),
        K::Revoked => (
            "本设备已被服务中心停用",
            "this device was revoked by the service center",
        ),
        K::TooLarge => (
            "内容过大，服务器未接收，请联系服务中心",
            "it is larger than the server accepts: call the service center",
        ),
        K::Internal => (
            "服务器暂时出错，稍后自动重试",
            "the server failed for now: it is tried again later",
        ),
        K::MethodNotAllowed | K::Unknown => (
            "服务器未接收，请联系服务中心",
            "the server did not accept it: call the service center",
        ),
    };
    said(zh, en)
}

/// What a piece of work set aside from the outbox was, for the technician's list: the work
/// (a form by its template's title) and the household's customer number while the household is
/// on the phone, e.g. "入户安检表（已签封）· 户号 3300000001".
pub fn set_aside_work(
    operation: Option<&Operation>,
    form_title: Option<&Text>,
    customer_number: Option<&str>,
) -> Text {
    use Operation as O;
    let (title_zh, title_en) = form_title.map_or(("表单", "form"), |t| (&*t.zh, &*t.en));
    let Some(operation) = operation else {
        let (zh, en) = ("一项记录", "a record");
        return with_number(zh.into(), en.into(), customer_number);
    };
    let (zh, en) = match operation {
        O::FormSealed { .. } => (
            format!("{title_zh}（已签封）"),
            format!("{title_en} (sealed)"),
        ),
        O::FormStarted { .. }
        | O::FormAnswered { .. }
        | O::FormPhotoAttached { .. }
        | O::FormPhotoRemoved { .. }
        | O::FormSigned { .. }
        | O::FormOutcomeSet { .. }
        | O::FormMovedToTemplate { .. } => {
            (format!("{title_zh}（草稿）"), format!("{title_en} (draft)"))
        }
        O::HouseholdSaved { .. } => ("用户信息修改".into(), "household details".into()),
        O::MeterReadingRecorded { .. } => ("表具读数".into(), "meter reading".into()),
        O::WorkOrderOpened { .. } => ("新开工单".into(), "new work order".into()),
        O::WorkOrderMoved { .. } => ("工单状态变更".into(), "work order status".into()),
        O::InspectionSigned { .. } => ("安检签字".into(), "inspection signed".into()),
        O::PhotoTaken { .. } => ("照片".into(), "photo".into()),
        O::CheckedIn { .. } => ("到户签到".into(), "check-in at the door".into()),
        O::WorkOrderHandedBack { .. } => ("工单退回".into(), "work order handed back".into()),
        O::WorkOrderAppointmentChanged { .. } => {
            ("工单改约".into(), "work order appointment changed".into())
        }
        O::WorkOrderClassRaised { .. } => ("工单升级".into(), "work order raised to major".into()),
        O::OutageNotified { .. } => ("停气通知记录".into(), "outage notice given".into()),
    };
    with_number(zh, en, customer_number)
}

/// A piece of work's words with the household's customer number after them, when known.
fn with_number(zh: String, en: String, customer_number: Option<&str>) -> Text {
    match customer_number {
        Some(n) => {
            // A full-width bracket has its own space.
            let gap = if zh.ends_with('）') { "" } else { " " };
            said(
                format!("{zh}{gap}· 户号 {n}"),
                format!("{en} · customer no. {n}"),
            )
        }
        None => said(zh, en),
    }
}

/// Why parked work is on the technician's list (with what to do: nothing, wait).
pub fn parked() -> (Text, Text) {
    (
        said(
            "服务中心须先核对（例如该户已不在您的片区，或收据号已在另一张表单上用过），再决定是否将其归入该户档案",
            "the service center must check it first (say, the household is no longer in your \
             district, or its receipt number is already on another form), then decides whether \
             it goes into the household's file",
        ),
        said(
            "无需操作：服务中心决定之前，记录保留在本机",
            "nothing to do: it stays on this phone until the service center decides",
        ),
    )
}

/// Why work the service center rejected is on the list, with the office's reason (and what to
/// do about it).
pub fn rejected_by_office(reason: Option<&str>) -> (Text, Text) {
    let why = match reason {
        Some(reason) => said(
            format!("服务中心未将其归入该户档案：{reason}"),
            format!("the service center did not take it into the household's file: {reason}"),
        ),
        None => said(
            "服务中心未将其归入该户档案",
            "the service center did not take it into the household's file",
        ),
    };
    let to_do = said(
        "如认为应当归档，请联系服务中心；记录保留在此列表中",
        "if it belongs in the file, call the service center; it stays in this list",
    );
    (why, to_do)
}

/// Why work the server refused for good is on the list ([`refusal`] of its kind), and what to
/// do about it.
pub fn refused(kind: ErrorKind) -> (Text, Text) {
    (
        refusal(kind),
        said(
            "记录保留在本机，请联系服务中心处理",
            "it is kept on this phone: call the service center to settle it",
        ),
    )
}

/// What keeps a form item from being complete, as the form screen shows it beside the item.
pub fn problem(kind: &ProblemKind) -> Text {
    use ProblemKind as P;
    let plural = |n: u32, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    match kind {
        P::Missing => said("必填项，尚未填写", "required: not answered yet"),
        P::BelowMinimum { min } => {
            said(format!("不能小于 {min}"), format!("must be at least {min}"))
        }
        P::AboveMaximum { max } => {
            said(format!("不能大于 {max}"), format!("must be at most {max}"))
        }
        P::TooManyDecimals { decimals } => said(
            format!("最多 {decimals} 位小数"),
            format!("at most {decimals} decimal places"),
        ),
        P::TooLong { max_len } => said(
            format!("最多 {max_len} 个字"),
            format!("at most {max_len} characters"),
        ),
        P::NotAChoice => said("不是可选的选项", "not one of the choices"),
        P::TooFewChoices { min } => {
            said(format!("至少选 {min} 项"), format!("choose at least {min}"))
        }
        P::TooManyChoices { max } => {
            said(format!("最多选 {max} 项"), format!("choose at most {max}"))
        }
        P::TooFewPhotos { min } => said(
            format!("至少拍 {min} 张照片"),
            format!("take at least {min} {}", plural(*min, "photo", "photos")),
        ),
        P::TooManyPhotos { max } => said(
            format!("最多 {max} 张照片"),
            format!("at most {max} {}", plural(*max, "photo", "photos")),
        ),
        P::HazardPhotoMissing => said(
            "不合格项须拍照留证",
            "a failed check needs a photo as evidence",
        ),
        P::AdviceMissing => said(
            "不合格项须填写整改意见",
            "a failed check needs rectification advice",
        ),
        P::SignatureMissing { role } => {
            let (zh, en) = match role {
                SignerRole::Customer => ("用户", "customer's"),
                SignerRole::Technician => ("检查人员", "technician's"),
                SignerRole::Witness => ("见证人", "witness's"),
            };
            said(
                format!("缺少{zh}签字"),
                format!("the {en} signature is missing"),
            )
        }
        P::SignatureOutdated => said(
            "签字后内容有改动，须重新签字",
            "the answers changed after signing: sign again",
        ),
        P::NoteMissing => said("须填写现场情况说明", "a note on what was found is needed"),
        // The reason of a rule the core checks on the record the form changes (English only:
        // it comes from the record's own validation); the field says where.
        P::Invalid {
            field,
            reason,
            reason_zh,
        } => said(
            format!(
                "“{field}”不符合规则：{}",
                if reason_zh.is_empty() {
                    reason
                } else {
                    reason_zh
                }
            ),
            format!("{field}: {reason}"),
        ),
    }
}

/// Why a photo was not taken in, for the technician: what to do about it first, the decoder's
/// own detail (English, technical) only where it helps support. Never a person's data: a photo
/// refusal names the file's format, size and cost, not its contents.
pub fn photo_refusal(e: &MediaError) -> Text {
    use MediaError as M;
    match e {
        M::Empty => said(
            "照片文件是空的，请重新拍摄",
            "the photo file is empty: take it again",
        ),
        M::NotAnImage => said(
            "该文件不是照片（只接收 JPEG、PNG、WebP），请用相机重新拍摄",
            "the file is not a photo (JPEG, PNG or WebP only): take it again with the camera",
        ),
        M::Unsupported { format } => said(
            format!(
                "该文件是 {format} 格式，不能作为照片接收；请用本应用的相机拍摄（会存为 JPEG）"
            ),
            format!(
                "the file is a {format} image, which is not taken as a photo: take it with the app's camera (it saves JPEG)"
            ),
        ),
        M::Truncated => said(
            "照片文件不完整（拍摄或复制中断），请重新拍摄",
            "the photo file is cut short (the camera or a copy was interrupted): take it again",
        ),
        M::TooLarge {
            width,
            height,
            max_pixels,
        } => said(
            format!(
                "照片为 {width}×{height} 像素，超过上限 {} 万像素，请用普通分辨率拍摄",
                max_pixels / 10_000
            ),
            format!(
                "the photo has {width}x{height} pixels, above the limit of {max_pixels}: take it at a normal resolution"
            ),
        ),
        M::OverBudget {
            needed_mib,
            budget_mib,
        } => said(
            format!(
                "处理这张照片需要 {needed_mib} MiB 内存，超过手机可用的 {budget_mib} MiB，未处理；请用相机的普通设置重新拍摄"
            ),
            format!(
                "this photo would need {needed_mib} MiB of memory, above the {budget_mib} MiB a phone can spare: it was not processed; take it again with the camera's usual settings"
            ),
        ),
        M::TooComplex { what, limit, .. } => {
            let what = what.label();
            said(
                format!(
                    "照片结构异常（超过 {limit} 个{}），未处理；请重新拍摄",
                    what.zh
                ),
                format!(
                    "the photo is built abnormally (more than {limit} {}): it was not processed; take it again",
                    what.en
                ),
            )
        }
        M::Corrupt(detail) => said(
            format!("照片已损坏，不能作为凭证，请重新拍摄（{detail}）"),
            format!("the photo is damaged and cannot serve as proof: take it again ({detail})"),
        ),
        M::Io(_) => said(
            "照片文件读取失败，请重新拍摄",
            "the photo file could not be read: take it again",
        ),
        M::Invalid(invalid) => said(
            format!("{}：{}", invalid.field, invalid.reason_zh),
            format!("{}: {}", invalid.field, invalid.reason),
        ),
    }
}

/// Why a sync did not finish, for the Today and Sync screens: no network, the server's
/// refusal of the device, a failure to try again later. Never a person's data (the error's own
/// detail is for the log).
pub fn sync_failure(e: &crate::error::Error) -> Text {
    use crate::error::Error as E;
    let (zh, en) = match e {
        E::Network { .. } => (
            "无网络或服务器无法连接，稍后自动重试",
            "no network, or the server cannot be reached: it is tried again later",
        ),
        E::Cancelled => ("同步已取消", "the sync was cancelled"),
        E::NotEnrolled => ("本设备尚未登记", "this device is not enrolled"),
        E::Auth { .. } => (
            "本设备凭证无效或已被停用，请联系服务中心",
            "this device's credential is not valid or was revoked: call the service center",
        ),
        E::Refused { kind, .. } => return refusal(*kind),
        _ => (
            "同步出错，稍后自动重试",
            "the sync failed: it is tried again later",
        ),
    };
    said(zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::ShutOffReason;
    use crate::workorder::{WorkOrderKind, WorkOrderStatus};

    #[test]
    fn a_form_problem_reads_in_each_language_with_its_numbers() {
        use crate::forms::Decimal;
        let below = problem(&ProblemKind::BelowMinimum {
            min: Decimal::new(25, 1),
        });
        assert_eq!(below, said("不能小于 2.5", "must be at least 2.5"));
        assert_eq!(
            problem(&ProblemKind::TooFewPhotos { min: 1 }).en,
            "take at least 1 photo"
        );
        assert_eq!(
            problem(&ProblemKind::SignatureMissing {
                role: SignerRole::Customer
            })
            .zh,
            "缺少用户签字"
        );
    }

    #[test]
    fn every_refusal_a_technician_can_meet_reads_in_both_languages() {
        let generic = refusal(ErrorKind::Unknown);
        for kind in ErrorKind::SENT {
            let t = refusal(kind);
            if kind != ErrorKind::MethodNotAllowed {
                // A wrong method is the app's own fault: nothing the technician can do.
                assert_ne!(t, generic, "{kind} has its own words");
            }
            assert!(!t.zh.is_ascii(), "{t:?}");
            assert!(t.en.is_ascii(), "{t:?}");
        }
    }

    #[test]
    fn every_photo_refusal_tells_the_technician_what_to_do_in_both_languages() {
        use crate::media::MediaError as M;
        let all = [
            M::Empty,
            M::NotAnImage,
            M::Unsupported { format: "HEIC" },
            M::Truncated,
            M::TooLarge {
                width: 20_000,
                height: 20_000,
                max_pixels: 64_000_000,
            },
            M::OverBudget {
                needed_mib: 366,
                budget_mib: 128,
            },
            M::TooComplex {
                what: crate::media::Part::Scans,
                count: 3001,
                limit: 100,
            },
            M::Corrupt("bad Huffman code".into()),
            M::Io(std::io::Error::other("gone")),
        ];
        for e in &all {
            let t = photo_refusal(e);
            assert!(!t.zh.is_ascii(), "{e}: {t:?}");
            assert!(t.en.is_ascii() && !t.en.is_empty(), "{e}: {t:?}");
        }
        assert!(
            photo_refusal(&all[2]).zh.contains("HEIC"),
            "the format seen is named"
        );
    }

    #[test]
    fn every_state_the_timeline_names_has_both_languages() {
        let texts = WorkOrderKind::ALL
            .into_iter()
            .map(WorkOrderKind::label)
            .chain(WorkOrderStatus::ALL.into_iter().map(WorkOrderStatus::label))
            .chain(
                [
                    ShutOffReason::Arrears,
                    ShutOffReason::Hazard,
                    ShutOffReason::PlannedWorks,
                    ShutOffReason::CustomerRequest,
                    ShutOffReason::Demolition,
                ]
                .into_iter()
                .map(ShutOffReason::label),
            );
        for t in texts {
            assert!(!t.en.is_empty() && !t.en.contains('_'), "{t:?}");
            assert!(t.zh.chars().all(|c| !c.is_ascii()), "{t:?}");
        }
    }
}
