//! The page from plain data: what a visit shows, what is escaped, what the map draws.

use chrono::{Duration, NaiveDate};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{Answer, Form, PhotoRef};
use doorstep_core::forms::seal::Seal;

use super::super::world::{self, World, hm};
use super::html;
use super::map::{self, Stop};
use super::pictures::Pictures;
use super::visits::Visit;

const SHA_ON_SERVER: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
const SHA_NOT_YET: &str = "bb00000000000000000000000000000000000000000000000000000000000002";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

fn small_world() -> World {
    world::generate(7, 400, day())
}

/// An inspection by the world's inspector at 09:00, sealed at 09:20, with a remark, a photo
/// the server holds and one it does not hold yet.
fn inspection(world: &World, remark: &str) -> Visit {
    let template = builtin_template("residential_inspection").unwrap();
    let mut household = world.households[0].clone();
    let started = world::beijing(day(), hm(9, 0));
    let mut form = Form::new(&template, household.id, None, started);
    form.answer(&template, "remarks", Some(Answer::Text(remark.to_owned())))
        .unwrap();
    form.photos.insert(
        "site_photos".to_owned(),
        vec![
            PhotoRef::new(SHA_ON_SERVER, started + Duration::minutes(5)).unwrap(),
            PhotoRef::new(SHA_NOT_YET, started + Duration::minutes(6)).unwrap(),
        ],
    );
    form.seal = Some(Seal {
        content_digest: "c".repeat(64),
        digest: "d".repeat(64),
        sealed_at: started + Duration::minutes(20),
    });
    household.address.street = "<script>alert(1)</script>路".to_owned();
    Visit {
        form,
        template,
        household,
        technician: Some(world.inspector.clone()),
        order_number: None,
    }
}

fn pictures() -> Pictures {
    let mut pictures = Pictures::default();
    pictures.photos.insert(
        SHA_ON_SERVER.to_owned(),
        format!("page/{SHA_ON_SERVER}.jpg"),
    );
    pictures
}

#[test]
fn a_visit_shows_its_time_technician_household_answers_photos_and_seal() {
    let world = small_world();
    let visit = inspection(&world, "用户已知晓");
    let page = html::page(&world, day(), std::slice::from_ref(&visit), &pictures());
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(page.contains(&format!(
        "<section class=\"visit\" id=\"visit-1\" data-form=\"{}\">",
        visit.form.id
    )));
    assert!(page.contains("09:00–09:20"));
    assert!(page.contains("居民用户入户安全检查表"));
    assert!(page.contains(&format!("{} · 巡检员 / inspector", world.inspector.badge)));
    assert!(page.contains(&visit.household.customer_number));
    assert!(page.contains("<dd>用户已知晓</dd>"));
    assert!(page.contains(&format!(
        "<img src=\"page/{SHA_ON_SERVER}.jpg\" alt=\"照片 / photo"
    )));
    // A photo the server has not received whole is said, never drawn as a broken picture.
    assert!(!page.contains(SHA_NOT_YET));
    assert!(page.contains("（照片尚未传到服务器） / (photo not on the server yet)"));
    assert!(page.contains(&"d".repeat(64)));
    // The map links the visit's numbered dot to its section.
    assert!(page.contains("<a href=\"#visit-1\"><circle"));
}

#[test]
fn a_customers_text_and_address_are_shown_as_text_never_as_markup() {
    let world = small_world();
    let visit = inspection(&world, "</td><img src=x onerror=alert(2)>");
    let page = html::page(&world, day(), &[visit], &pictures());
    assert!(!page.contains("<script>"));
    assert!(!page.contains("<img src=x"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;路"));
    assert!(page.contains("&lt;/td&gt;&lt;img src=x onerror=alert(2)&gt;"));
}

#[test]
fn a_day_without_sealed_forms_says_so_and_still_draws_the_district() {
    let world = small_world();
    let page = html::page(&world, day(), &[], &Pictures::default());
    assert!(page.contains("这一天服务器上没有签封的表单。"));
    assert!(page.contains("<svg"));
    assert!(!page.contains("class=\"visit\""));
}

#[test]
fn the_map_draws_every_compound_shades_the_outage_one_and_numbers_the_stops_in_order() {
    let world = small_world();
    let at = |i: usize| world.households[i].location.unwrap();
    let stops = [
        Stop {
            number: 1,
            at: at(0),
            route: 0,
        },
        Stop {
            number: 2,
            at: at(0),
            route: 0,
        },
        Stop {
            number: 3,
            at: at(50),
            route: 0,
        },
        Stop {
            number: 4,
            at: at(100),
            route: 1,
        },
    ];
    let svg = map::svg(&world, &stops);
    assert_eq!(
        svg.matches("<rect x=").count() - building_rects(&world),
        world.compounds.len()
    );
    assert_eq!(svg.matches("fill=\"url(#outage)\"").count(), 1);
    assert!(svg.contains(&format!(
        "{}（停气）",
        world.compounds[world.cast.outage_compound].name
    )));
    // A route is a line once it has two places: the inspector's here, not the crew's.
    assert_eq!(svg.matches("<polyline").count(), 1);
    let first = svg.find("#visit-1").unwrap();
    let second = svg.find("#visit-2").unwrap();
    let third = svg.find("#visit-3").unwrap();
    assert!(first < second && second < third);
    // Two visits at one door: the second dot is moved aside, not drawn over the first.
    let centre = |n: usize| {
        let from = svg.find(&format!("#visit-{n}\"><circle cx=\"")).unwrap();
        let rest = &svg[from..];
        let cx = rest
            .split("cx=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let cy = rest
            .split("cy=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        (cx.parse::<f64>().unwrap(), cy.parse::<f64>().unwrap())
    };
    let ((x1, y1), (x2, y2)) = (centre(1), centre(2));
    assert!((x1 - x2).hypot(y1 - y2) >= 17.0);
    // ... with a line to the door, where the route runs.
    assert!(svg.contains(&format!(
        "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"/>"
    )));
}

fn building_rects(world: &World) -> usize {
    world.compounds.iter().map(|c| c.buildings.len()).sum()
}
