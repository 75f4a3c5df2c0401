//! The inspector's day (see `super::Scene`), 07:50 to 17:00 Beijing time, played on the
//! inspector's phone through the app's events only: the morning sync and Today's list, eight
//! ordinary inspections in walking order, a visit where nobody is home, a major hazard with
//! the gas shut off and the rectification notice printed, an elderly user registered for
//! priority service, a new phone number that meets the office's edit of the same field, the
//! planned outage's notices posted at each building, and the syncs in between (at lunch and
//! mid-afternoon, not after every visit: offline work is work done between syncs).
//!
//! Every scene checks what the app shows at its key points (the screen, the button, the
//! sealed form) and fails with what it found otherwise.

mod contact;
mod ink;
mod outage;
mod visit;

use doorstep_core::app::screens::copy::{CopyEvent, Paper};
use doorstep_core::app::screens::form::{FormEvent, FormOutcomeChoice};
use doorstep_core::app::screens::today::{TodayEvent, TodayFilter};
use doorstep_core::app::{Effect, Event, Screen};
use doorstep_core::household::Household;

use super::world::hm;
use super::{Day, DemoResult, Role, Scene};
use visit::{Filling, Reply, Script};

pub fn scenes() -> Vec<Scene> {
    let scene = |h: u32,
                 m: u32,
                 name: &'static str,
                 title: &'static str,
                 play: fn(&mut Day<'_>) -> DemoResult<()>| Scene {
        at: hm(h, m),
        role: Role::Inspector,
        name,
        title,
        play,
    };
    vec![
        scene(
            7,
            50,
            "inspector_morning",
            "巡检员：早间同步，查看今日安检 / the inspector's morning sync and today's list",
            morning,
        ),
        scene(
            8,
            10,
            "inspector_visit_1",
            "巡检：入户安检 1/8 / inspection 1 of 8",
            |d| ordinary(d, 0),
        ),
        scene(
            8,
            40,
            "inspector_visit_2",
            "巡检：入户安检 2/8 / inspection 2 of 8",
            |d| ordinary(d, 1),
        ),
        scene(
            9,
            10,
            "inspector_visit_3",
            "巡检：入户安检 3/8 / inspection 3 of 8",
            |d| ordinary(d, 2),
        ),
        scene(
            9,
            45,
            "inspector_nobody_home",
            "巡检：无人在家 / nobody home",
            nobody_home,
        ),
        scene(
            10,
            10,
            "inspector_visit_4",
            "巡检：入户安检 4/8 / inspection 4 of 8",
            |d| ordinary(d, 3),
        ),
        scene(
            10,
            40,
            "inspector_phone_edit",
            "巡检：用户更换手机号 / the user gives a new mobile number",
            contact::on_the_doorstep,
        ),
        scene(
            11,
            15,
            "inspector_major_hazard",
            "巡检：发现重大隐患，当场停气 / a major hazard: gas shut off on the spot",
            major_hazard,
        ),
        scene(
            12,
            10,
            "inspector_lunch_sync",
            "巡检员：午间同步 / the inspector syncs at lunch",
            contact::lunch_sync,
        ),
        scene(
            13,
            30,
            "inspector_visit_5",
            "巡检：入户安检 5/8 / inspection 5 of 8",
            |d| ordinary(d, 4),
        ),
        scene(
            14,
            0,
            "inspector_special_group",
            "巡检：登记特殊群体用户 / an elderly user registered for priority service",
            special_group,
        ),
        scene(
            14,
            35,
            "inspector_visit_6",
            "巡检：入户安检 6/8 / inspection 6 of 8",
            |d| ordinary(d, 5),
        ),
        scene(
            15,
            5,
            "inspector_visit_7",
            "巡检：入户安检 7/8 / inspection 7 of 8",
            |d| ordinary(d, 6),
        ),
        scene(
            15,
            30,
            "inspector_afternoon_sync",
            "巡检员：下午同步 / the inspector syncs mid-afternoon",
            afternoon_sync,
        ),
        scene(
            15,
            45,
            "inspector_visit_8",
            "巡检：入户安检 8/8 / inspection 8 of 8",
            |d| ordinary(d, 7),
        ),
        scene(
            16,
            20,
            "inspector_outage_notices",
            "巡检：张贴明日停气通知 / tomorrow's outage notice posted at each building",
            outage::post_notices,
        ),
        scene(
            17,
            0,
            "inspector_evening_sync",
            "巡检员：收工同步 / the inspector's evening sync",
            evening_sync,
        ),
        contact::office_scene(),
    ]
}

/// 07:50: the phone comes out, syncs the night's changes, and Today lists the day's
/// inspections; the inspector keeps only the inspections in view.
fn morning(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    phone.sync()?;
    let today = visit::to_today(phone)?;
    if today.sync.failure.is_some() || today.sync.last_sync.contains("尚未") {
        return Err(day.script(format!(
            "the morning sync failed: {}",
            today.sync.accessibility
        )));
    }
    let update = phone.send(Event::Today(TodayEvent::SetFilter {
        filter: TodayFilter::Inspections,
    }))?;
    let Screen::Today(today) = update.screen.body else {
        return Err(phone.unexpected("Today", &update.screen));
    };
    let chip = today
        .filters
        .iter()
        .find(|f| f.filter == TodayFilter::Inspections);
    if !chip.is_some_and(|c| c.selected && c.count > 0) || today.lines.is_empty() {
        return Err(day.script("Today lists no inspection under the Inspections filter"));
    }
    if today.lines.iter().any(|l| l.order_id.is_some()) {
        return Err(day.script("the Inspections filter shows orders"));
    }
    let listed = cast_households(day)
        .iter()
        .filter(|h| {
            let id = h.id.to_string();
            today
                .lines
                .iter()
                .any(|l| l.household_id.as_deref() == Some(id.as_str()))
        })
        .count();
    if listed == 0 {
        // The list takes the most overdue households of the district: the day's visits are
        // then found by Search (reported: the world's cast is not the most overdue).
        eprintln!(
            "{}: none of the day's {} households is on Today's list of {}; the inspector finds them by Search",
            day.scene,
            cast_households(day).len(),
            today.lines.len()
        );
    }
    Ok(())
}

/// Every household the inspector visits today.
fn cast_households<'w>(day: &Day<'w>) -> Vec<&'w Household> {
    let cast = &day.world.cast;
    let mut ids = cast.inspections.clone();
    ids.extend([
        cast.nobody_home,
        cast.phone_edit,
        cast.major_hazard,
        cast.special_group,
    ]);
    ids.into_iter().map(|id| day.world.household(id)).collect()
}

/// One of the eight inspections of the day with nothing wrong, in walking order: a site photo
/// or two, the customer's and the inspector's signatures.
fn ordinary(day: &mut Day<'_>, n: usize) -> DemoResult<()> {
    day.inspector.set_scene(day.scene);
    let Some(&id) = day.world.cast.inspections.get(n) else {
        return Err(day.script(format!("the world has no inspection {}", n + 1)));
    };
    let household = day.world.household(id);
    visit::wake(day.inspector)?;
    let photos = 1 + (n % 2) as u32;
    visit::inspect(
        day,
        household,
        Script::default().with("site_photos", Reply::Photos(photos)),
    )?;
    visit::to_today(day.inspector)?;
    Ok(())
}

/// Nobody answers the door: the visit is sealed as "nobody home" with a note, the position
/// and a photo of the door; the household stays due.
fn nobody_home(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    let household = day.world.household(day.world.cast.nobody_home);
    let (file, _) = visit::open_household(phone, household)?;
    visit::start_form(phone, &file, visit::inspection_template(household))?;
    let form = visit::set_outcome(phone, FormOutcomeChoice::NobodyHome)?;
    if !form.outcome.note_wanted {
        return Err(day.script("the nobody-home outcome asks for no note"));
    }
    phone.send(Event::Form(FormEvent::Note {
        text: "敲门三次无人应答，已在门上留下预约联系卡".into(),
    }))?;
    phone.stand_at(household.location);
    phone.send(Event::Form(FormEvent::Locate {
        item: "visit_location".into(),
    }))?;
    phone.send(Event::Form(FormEvent::TakePhoto {
        item: "site_photos".into(),
    }))?;
    Filling {
        phone,
        world: day.world,
        household,
        script: Script::default(),
        rng: visit::rng_for(day.world, household, 1),
        chosen: Default::default(),
    }
    .sign_missing()?;
    let sealed = visit::seal(phone)?;
    let consequences = &sealed.sealed.as_ref().expect("sealed").consequences;
    if consequences
        .iter()
        .any(|c| c.contains("下次安检已重新排期"))
    {
        return Err(day.script("a visit with nobody home rescheduled the next inspection"));
    }
    phone.send(Event::Back)?;
    let file = visit::household_screen(phone)?;
    if !file.next_inspection.value.contains("逾期") {
        return Err(day.script(format!(
            "the household is no longer due after nobody was home: {}",
            file.next_inspection.value
        )));
    }
    visit::to_today(phone)?;
    Ok(())
}

/// The leak test fails at the stove's valve: advice written, the evidence photographed,
/// sealed; the app shuts the gas off on the spot and opens the follow-up order, and the
/// rectification notice is printed for the customer.
fn major_hazard(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    let household = day.world.household(day.world.cast.major_hazard);
    let script = Script::default()
        .with(
            "leak_test",
            Reply::Fail {
                advice: "灶前阀接口漏气，检测仪读数12.5%LEL。已关闭表前阀并当场停气；请联系燃气公司更换灶前阀，复查合格后方可恢复供气。".into(),
            },
        )
        .with("leak_points", Reply::Toggle(vec!["appliance_valve".into()]))
        .with("leak_detector_lel", Reply::Number("12.5".into()))
        .with("site_photos", Reply::Photos(1))
        .with(
            "remarks",
            Reply::Text("已向用户说明漏气危险，用户同意停气整改。".into()),
        );
    let (file, _) = visit::open_household(phone, household)?;
    visit::start_form(phone, &file, visit::inspection_template(household))?;
    visit::set_outcome(phone, FormOutcomeChoice::Completed)?;
    Filling {
        phone,
        world: day.world,
        household,
        script,
        rng: visit::rng_for(day.world, household, 2),
        chosen: Default::default(),
    }
    .answer_everything()?;
    let sealed = visit::seal(phone)?;
    let seal = sealed.sealed.as_ref().expect("sealed");
    let follow_up = seal.consequences.iter().any(|c| c.contains("已开复查工单"));
    let shut_off = seal.consequences.iter().any(|c| c.starts_with("当场停气"));
    if !follow_up || !shut_off {
        return Err(day.script(format!(
            "sealing the major hazard did not open its follow-up and shut the gas off: {:?}",
            seal.consequences
        )));
    }
    if !seal
        .copies
        .iter()
        .any(|c| c.paper == Paper::HazardNotice && c.open.enabled)
    {
        return Err(day.script("the sealed form offers no hazard rectification notice"));
    }
    let copy = phone.send(Event::Form(FormEvent::OpenCopy {
        paper: Paper::HazardNotice,
    }))?;
    let Screen::Copy(paper) = copy.screen.body else {
        return Err(phone.unexpected("the rectification notice", &copy.screen));
    };
    if !paper.print.enabled {
        return Err(day.script(format!(
            "the rectification notice cannot be printed: {}",
            paper.problem.unwrap_or_default()
        )));
    }
    let printed = phone.send(Event::Copy(CopyEvent::Print))?;
    let Some(path) = printed.effects.iter().find_map(|e| match e {
        Effect::Print { path, .. } => Some(path.clone()),
        _ => None,
    }) else {
        return Err(day.script("Print asked the phone to print nothing"));
    };
    if !std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        return Err(day.script("the printed notice's file is missing"));
    }
    // From the notice back to the form, and from the form back to the household's file.
    phone.send(Event::Back)?;
    phone.send(Event::Back)?;
    let file = visit::household_screen(phone)?;
    if !file.supply.off {
        return Err(day.script("the household file does not show the gas off"));
    }
    visit::to_today(phone)?;
    Ok(())
}

/// During her inspection an elderly user living alone asks to be registered for priority
/// service: the registration the household file offers, with her consent, her daughter as
/// contact person, and her signature.
fn special_group(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    let household = day.world.household(day.world.cast.special_group);
    visit::inspect(
        day,
        household,
        Script::default().with("site_photos", Reply::Photos(1)),
    )?;
    phone.send(Event::Back)?;
    let file = visit::household_screen(phone)?;
    visit::start_form(phone, &file, "special_group_registration")?;
    let contact = contact::daughter_of(day.world, household);
    let script = Script::default()
        .with("groups", Reply::Toggle(vec!["elderly".into()]))
        .with("living_situation", Reply::Choose("alone".into()))
        .with(
            "needs",
            Reply::Text("独居，行动不便，希望上门办理业务、上门前先电话联系".into()),
        )
        .with("registered_by", Reply::Choose("self".into()))
        .with("has_contact", Reply::Choose("yes".into()))
        .with("contact_name", Reply::Text(contact.0))
        .with("contact_relation", Reply::Text("女儿".into()))
        .with("contact_phone", Reply::Text(contact.1))
        .with(
            "service_preferences",
            Reply::Toggle(vec![
                "home_paperwork".into(),
                "call_before_visit".into(),
                "notify_contact".into(),
            ]),
        )
        .with("preferred_time", Reply::Choose("morning".into()));
    Filling {
        phone,
        world: day.world,
        household,
        script,
        rng: visit::rng_for(day.world, household, 3),
        chosen: Default::default(),
    }
    .answer_everything()?;
    visit::seal(phone)?;
    phone.send(Event::Back)?;
    let file = visit::household_screen(phone)?;
    if file.special_group.is_none() {
        return Err(day.script("the household file shows no registration after sealing it"));
    }
    visit::to_today(phone)?;
    Ok(())
}

/// 15:30: a sync between visits.
fn afternoon_sync(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    phone.sync()?;
    let today = visit::to_today(phone)?;
    if let Some(failure) = today.sync.failure {
        return Err(day.script(format!("the afternoon sync failed: {failure}")));
    }
    Ok(())
}

/// 17:00: the last sync of the day; everything done is on the server.
fn evening_sync(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    phone.sync()?;
    let today = visit::to_today(phone)?;
    let sync = &today.sync;
    if sync.failure.is_some()
        || sync.waiting_count > 0
        || sync.refused_count > 0
        || sync.photos.is_some()
    {
        return Err(day.script(format!(
            "the evening sync left work on the phone: {}",
            sync.accessibility
        )));
    }
    Ok(())
}
