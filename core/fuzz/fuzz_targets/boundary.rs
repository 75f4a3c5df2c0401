//! Proves that reading a district boundary (`doorstep admin district add`: typed corners or a
//! GeoJSON file) never panics on any text, and that every area it accepts has three corners or
//! more, reads back to itself from its own corners, and survives JSON (how it is stored and
//! synced) unchanged.
#![no_main]

use doorstep_core::geo::Area;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for area in [Area::parse_corners(text), Area::from_geojson(text)]
        .into_iter()
        .flatten()
    {
        assert!(area.ring().len() >= 3);
        let corners = area
            .ring()
            .iter()
            .map(|p| format!("{} {}", p.lon(), p.lat()))
            .collect::<Vec<_>>()
            .join(", ");
        let again = Area::parse_corners(&corners).expect("an area's own corners read back");
        assert_eq!(again, area);
        let json = serde_json::to_string(&area).expect("an area serialises");
        let again: Area = serde_json::from_str(&json).expect("a written area reads back");
        assert_eq!(again, area);
        let _ = area.contains(&area.ring()[0]);
        let _ = area.bounding_box();
    }
});
