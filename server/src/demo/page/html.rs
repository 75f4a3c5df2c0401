//! The page itself: a header (district, day, the two technicians), the route map, then each
//! visit in time order with its answers by section, photos, signatures and seal. Valid HTML5,
//! CSS inline, no script; every value escaped.

use std::fmt::Write;

use chrono::NaiveDate;
use doorstep_core::app::screens::copy::rectification::hazards;
use doorstep_core::forms::form::{Outcome, PhotoRef};
use doorstep_core::media::signature::SignerRole;
use doorstep_core::team::{Technician, TechnicianRole};

use super::super::world::World;
use super::map::{self, COLOURS, Stop};
use super::pictures::Pictures;
use super::visits::Visit;
use super::words::{self, both, esc, text, zh_en};

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0 auto;max-width:1000px;padding:16px;color:#212529;background:#fff;\
font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif;\
font-size:14px;line-height:1.55}\
h1{font-size:24px;margin:8px 0}\
h2{font-size:18px;margin:0 0 8px}\
h3{font-size:15px;margin:14px 0 6px;border-bottom:1px solid #dee2e6}\
.en{color:#6c757d;font-weight:400;font-size:.9em}\
table{border-collapse:collapse;width:100%;margin:4px 0}\
th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f8f9fa;font-weight:600;width:34%}\
.team td,.team th{width:auto}\
.swatch{display:inline-block;width:14px;height:14px;border-radius:50%;vertical-align:-2px;margin-right:6px}\
.map svg{width:100%;height:auto;border:1px solid #dee2e6;border-radius:6px}\
.legend{font-size:13px;color:#495057}\
.legend span{margin-right:16px}\
.outage{display:inline-block;width:14px;height:14px;vertical-align:-2px;margin-right:6px;\
background:repeating-linear-gradient(45deg,#e03131 0 3px,#fde2e2 3px 8px)}\
.visit{border:1px solid #dee2e6;border-radius:8px;padding:12px 16px;margin:16px 0;break-inside:avoid-page}\
.n{display:inline-block;min-width:26px;padding:0 6px;border-radius:13px;color:#fff;text-align:center;margin-right:6px}\
.photos,.sigs{display:flex;flex-wrap:wrap;gap:8px}\
figure{margin:0;text-align:center;font-size:12px;color:#495057}\
.photos img{width:300px;height:auto;border:1px solid #adb5bd}\
.sigs img{width:240px;height:auto;border-bottom:1px solid #212529;background:#fff}\
.hazard{color:#c92a2a;font-weight:600}\
.missing{color:#868e96;font-style:italic}\
.digest{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all;color:#495057}\
@media print{.visit{break-inside:avoid}}";

/// The whole page.
pub fn page(world: &World, day: NaiveDate, visits: &[Visit], pictures: &Pictures) -> String {
    let title = format!(
        "{} · {} · 工作日报 / Day report",
        world.district.name,
        words::day(day)
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    header(&mut out, world, day, visits);
    route(&mut out, world, visits);
    if visits.is_empty() {
        let _ = write!(
            out,
            "<p class=\"missing\">{}</p>\n",
            zh_en(
                "这一天服务器上没有签封的表单。",
                "No form sealed that day is on the server."
            )
        );
    }
    for (i, v) in visits.iter().enumerate() {
        visit(&mut out, world, i + 1, v, pictures);
    }
    let _ = write!(
        out,
        "<footer class=\"legend\"><p>{}</p></footer>\n</body>\n</html>\n",
        zh_en(
            "本页由 doorstep demo 根据服务器存储的记录生成；所有人员与地址均为演示生成数据。",
            "Written by doorstep demo from the server's records; every person and address is generated."
        )
    );
    out
}

fn header(out: &mut String, world: &World, day: NaiveDate, visits: &[Visit]) {
    let photos: usize = visits
        .iter()
        .map(|v| v.form.evidence_photos().count())
        .sum();
    let signatures: usize = visits.iter().map(|v| v.form.signatures.len()).sum();
    let _ = write!(
        out,
        "<header>\n<h1>{} · {} <span class=\"en\">Day report</span></h1>\n\
         <p>{}：{} · {}：{} · {}：{} · {}：{}</p>\n",
        esc(&world.district.name),
        zh_en(&day.format("%Y年%-m月%-d日").to_string(), "") + " 工作日报",
        zh_en("日期", "Day"),
        esc(&words::day(day)),
        zh_en("上门", "Visits"),
        visits.len(),
        zh_en("照片", "Photos"),
        photos,
        zh_en("签名", "Signatures"),
        signatures,
    );
    let _ = write!(
        out,
        "<table class=\"team\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        zh_en("路线", "Route"),
        zh_en("工号", "Badge"),
        zh_en("岗位", "Role"),
        zh_en("班组", "Crew"),
    );
    for (i, t) in [&world.inspector, &world.repairer].into_iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span></td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>\n",
            COLOURS[i],
            esc(&t.badge),
            esc(&role(t.role)),
            esc(&world.crew.name),
        );
    }
    out.push_str("</table>\n</header>\n");
}

/// Whose route a visit is on: the inspector's, the crew member's, or another's.
fn route_of(world: &World, technician: Option<&Technician>) -> usize {
    match technician {
        Some(t) if t.id == world.inspector.id => 0,
        Some(t) if t.id == world.repairer.id => 1,
        _ => 2,
    }
}

fn route(out: &mut String, world: &World, visits: &[Visit]) {
    let stops: Vec<Stop> = visits
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            Some(Stop {
                number: i + 1,
                at: v.position()?,
                route: route_of(world, v.technician.as_ref()),
            })
        })
        .collect();
    let _ = write!(
        out,
        "<section class=\"map\" id=\"route\">\n<h2>{}</h2>\n{}\n<p class=\"legend\">",
        zh_en("路线", "Route"),
        map::svg(world, &stops)
    );
    for (i, t) in [&world.inspector, &world.repairer].into_iter().enumerate() {
        let _ = write!(
            out,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{} {}</span>",
            COLOURS[i],
            esc(&t.badge),
            esc(&role(t.role))
        );
    }
    let outage = world
        .compounds
        .get(world.cast.outage_compound)
        .map(|c| c.name.as_str())
        .unwrap_or_default();
    let _ = write!(
        out,
        "<span><span class=\"outage\"></span>{}：{}</span></p>\n</section>\n",
        zh_en("计划停气小区", "planned outage"),
        esc(outage)
    );
}

fn visit(out: &mut String, world: &World, n: usize, v: &Visit, pictures: &Pictures) {
    let colour = COLOURS[route_of(world, v.technician.as_ref()).min(COLOURS.len() - 1)];
    let _ = write!(
        out,
        "<section class=\"visit\" id=\"visit-{n}\" data-form=\"{}\">\n\
         <h2><span class=\"n\" style=\"background:{colour}\">{n}</span>{}–{} · {}</h2>\n\
         <table class=\"fields\">\n",
        esc(&v.form.id.to_string()),
        words::clock(v.form.started_at),
        words::clock(v.sealed_at()),
        text(&v.template.title),
    );
    let technician = match &v.technician {
        Some(t) => format!("{} · {}", t.badge, role(t.role)),
        None => both("（服务中心录入）", "(taken in by the office)"),
    };
    let household = format!(
        "{} · {}",
        v.household.customer_number,
        v.household.address.one_line()
    );
    let mut fields = vec![
        (zh_en("技术人员", "Technician"), technician),
        (zh_en("用户", "Household"), household),
    ];
    if let Some(number) = &v.order_number {
        fields.push((zh_en("工单", "Work order"), number.clone()));
    }
    fields.push((zh_en("结果", "Outcome"), words::outcome(&v.form.outcome)));
    for (label, value) in fields {
        let _ = writeln!(out, "<tr><th>{label}</th><td>{}</td></tr>", esc(&value));
    }
    out.push_str("</table>\n");
    sections(out, v, pictures);
    if let Outcome::CustomerRefusedToSign { photo, .. } = &v.form.outcome {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<div class=\"photos\">",
            zh_en("拒签照片", "Photo of the refusal")
        );
        photo_figure(
            out,
            photo,
            &both("拒签照片", "photo of the refusal"),
            pictures,
        );
        out.push_str("</div>\n");
    }
    let found = hazards(&v.form, &v.template);
    if !found.is_empty() {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<ul class=\"hazard\">",
            zh_en("隐患", "Hazards")
        );
        for h in &found {
            let mut line = format!(
                "{}（{}）",
                h.what,
                if h.major {
                    both("重大隐患", "major")
                } else {
                    both("一般隐患", "general")
                }
            );
            if h.shut_off {
                line.push_str(&format!(
                    "；{}",
                    both("已当场停气", "gas shut off on the spot")
                ));
            }
            let _ = write!(out, "<li>{}</li>", esc(&line));
        }
        out.push_str("</ul>\n");
    }
    signatures(out, v, pictures);
    if let Some(seal) = &v.form.seal {
        let _ = write!(
            out,
            "<p class=\"digest\">{}：{} · {}：{}</p>\n",
            zh_en("签封时间", "Sealed"),
            esc(&words::stamp(seal.sealed_at)),
            zh_en("签封摘要 (SHA-256)", "Seal digest"),
            esc(&seal.digest)
        );
    }
    out.push_str("</section>\n");
}

/// Each section of the template the visit answered: its answers in words, then its photos.
fn sections(out: &mut String, v: &Visit, pictures: &Pictures) {
    for section in &v.template.sections {
        let shown: Vec<_> = section
            .items
            .iter()
            .filter(|i| v.form.is_visible(&v.template, i))
            .collect();
        let answers: Vec<_> = shown
            .iter()
            .filter_map(|i| Some((*i, v.form.answers.get(&i.id)?)))
            .collect();
        let photos: Vec<(&PhotoRef, String)> = shown
            .iter()
            .flat_map(|i| {
                let label = both(&i.label.zh, &i.label.en);
                v.form
                    .photos
                    .get(&i.id)
                    .into_iter()
                    .flatten()
                    .map(move |p| (p, label.clone()))
            })
            .collect();
        if answers.is_empty() && photos.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{}</h3>", text(&section.title));
        if !answers.is_empty() {
            out.push_str("<table class=\"answers\">\n");
            for (item, answer) in answers {
                let _ = writeln!(
                    out,
                    "<tr><th>{}</th><td>{}</td></tr>",
                    text(&item.label),
                    esc(&words::answer(item, answer))
                );
            }
            out.push_str("</table>\n");
        }
        if !photos.is_empty() {
            out.push_str("<div class=\"photos\">");
            for (photo, label) in photos {
                photo_figure(out, photo, &label, pictures);
            }
            out.push_str("</div>\n");
        }
    }
}

fn photo_figure(out: &mut String, photo: &PhotoRef, label: &str, pictures: &Pictures) {
    let caption = format!("{label} · {}", words::clock(photo.attached_at));
    match pictures.photos.get(photo.sha256.as_str()) {
        Some(src) => {
            let _ = write!(
                out,
                "<figure><a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\"></a>\
                 <figcaption>{caption}</figcaption></figure>",
                src = esc(src),
                alt = esc(&format!("{} {label}", both("照片", "photo"))),
                caption = esc(&caption)
            );
        }
        None => {
            let _ = write!(
                out,
                "<figure class=\"missing\">{}<figcaption>{}</figcaption></figure>",
                esc(&both(
                    "（照片尚未传到服务器）",
                    "(photo not on the server yet)"
                )),
                esc(&caption)
            );
        }
    }
}

fn signatures(out: &mut String, v: &Visit, pictures: &Pictures) {
    if v.form.signatures.is_empty() {
        return;
    }
    let mut signed: Vec<_> = v.form.signatures.iter().collect();
    signed.sort_by_key(|(_, s)| match s.capture.role {
        SignerRole::Customer => 0,
        SignerRole::Technician => 1,
        SignerRole::Witness => 2,
    });
    let _ = write!(
        out,
        "<h3>{}</h3>\n<div class=\"sigs\">",
        zh_en("签名", "Signatures")
    );
    let form = v.form.id.to_string();
    for (item, s) in signed {
        let role = words::signer(s.capture.role);
        let caption = format!(
            "{role}：{} · {}",
            s.capture.signer_name,
            words::clock(s.capture.signed_at)
        );
        match pictures.signatures.get(&(form.clone(), item.clone())) {
            Some(src) => {
                let _ = write!(
                    out,
                    "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                    esc(src),
                    esc(&role),
                    esc(&caption)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<figure class=\"missing\">{}<figcaption>{}</figcaption></figure>",
                    esc(&both("（签名无法绘制）", "(cannot be drawn)")),
                    esc(&caption)
                );
            }
        }
    }
    out.push_str("</div>\n");
}

/// A technician's role in words.
fn role(role: TechnicianRole) -> String {
    match role {
        TechnicianRole::Inspector => both("巡检员", "inspector"),
        TechnicianRole::RepairTechnician => both("抢修员", "repair crew"),
        TechnicianRole::CrewLeader => both("班长", "crew leader"),
    }
}
