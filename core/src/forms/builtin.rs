//! The utility's built-in templates, compiled into the app. Each is a JSON file in
//! `forms/templates/`, validated by the tests below and at load.

use super::template::Template;

/// (file name, JSON text) of every built-in template.
const SOURCES: &[(&str, &str)] = &[
    (
        "residential_inspection.json",
        include_str!("templates/residential_inspection.json"),
    ),
    (
        "non_residential_inspection.json",
        include_str!("templates/non_residential_inspection.json"),
    ),
    (
        "acceptance_gas_on.json",
        include_str!("templates/acceptance_gas_on.json"),
    ),
    ("shut_off.json", include_str!("templates/shut_off.json")),
    (
        "reconnection.json",
        include_str!("templates/reconnection.json"),
    ),
    (
        "repair_closing.json",
        include_str!("templates/repair_closing.json"),
    ),
    (
        "special_group_registration.json",
        include_str!("templates/special_group_registration.json"),
    ),
    (
        "return_visit.json",
        include_str!("templates/return_visit.json"),
    ),
    (
        "abnormal_use_patrol.json",
        include_str!("templates/abnormal_use_patrol.json"),
    ),
    (
        "safety_education.json",
        include_str!("templates/safety_education.json"),
    ),
];

/// Every built-in template, parsed and validated.
pub fn builtin_templates() -> Vec<Template> {
    SOURCES
        .iter()
        .map(|(name, json)| {
            Template::from_json(json)
                .unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"))
        })
        .collect()
}

/// The newest built-in version of the template `id`.
pub fn builtin_template(id: &str) -> Option<Template> {
    builtin_templates()
        .into_iter()
        .filter(|t| t.id == id)
        .max_by_key(|t| t.version)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::forms::template::{FormKind, HazardGrade, Item, ItemKind, SignerRole};
    use crate::text::Text;

    const ALL_KINDS: [FormKind; 10] = [
        FormKind::ResidentialInspection,
        FormKind::NonResidentialInspection,
        FormKind::AcceptanceAndGasOn,
        FormKind::ShutOff,
        FormKind::Reconnection,
        FormKind::RepairClosing,
        FormKind::SpecialGroupRegistration,
        FormKind::ReturnVisit,
        FormKind::AbnormalUsePatrol,
        FormKind::SafetyEducation,
    ];

    fn item<'t>(t: &'t Template, id: &str) -> &'t Item {
        t.item(id)
            .unwrap_or_else(|| panic!("{}: no item {id}", t.id))
    }

    fn template(id: &str) -> Template {
        builtin_template(id).unwrap_or_else(|| panic!("no built-in template {id}"))
    }

    fn choice_ids(item: &Item) -> Vec<&str> {
        match &item.kind {
            ItemKind::SingleChoice { choices } | ItemKind::MultipleChoice { choices, .. } => {
                choices.iter().map(|c| c.id.as_str()).collect()
            }
            other => panic!("{} is not a choice: {other:?}", item.id),
        }
    }

    /// Every text of the template (title, section titles, labels, help, choices), with where it is.
    fn texts(t: &Template) -> Vec<(String, &Text)> {
        let mut all = vec![(format!("{}.title", t.id), &t.title)];
        for s in &t.sections {
            all.push((format!("{}.{}.title", t.id, s.id), &s.title));
            for i in &s.items {
                all.push((format!("{}.{}.label", t.id, i.id), &i.label));
                if let Some(help) = &i.help {
                    all.push((format!("{}.{}.help", t.id, i.id), help));
                }
                if let ItemKind::SingleChoice { choices }
                | ItemKind::MultipleChoice { choices, .. } = &i.kind
                {
                    for c in choices {
                        all.push((format!("{}.{}.{}", t.id, i.id, c.id), &c.label));
                    }
                }
            }
        }
        all
    }

    fn is_cjk(c: char) -> bool {
        matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
    }

    #[test]
    fn every_builtin_loads_validates_and_is_named_after_its_id() {
        assert_eq!(SOURCES.len(), 10);
        for (name, json) in SOURCES {
            let t = Template::from_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                *name,
                format!("{}.json", t.id),
                "file name and template id differ"
            );
            assert_eq!(t.version, 1, "{name}");
        }
        assert_eq!(builtin_templates().len(), SOURCES.len());
    }

    #[test]
    fn template_ids_are_unique() {
        let templates = builtin_templates();
        let ids: HashSet<_> = templates
            .iter()
            .map(|t| (t.id.as_str(), t.version))
            .collect();
        assert_eq!(ids.len(), templates.len());
        let names: HashSet<_> = templates.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            names.len(),
            templates.len(),
            "one built-in per id at version 1"
        );
    }

    #[test]
    fn every_form_kind_has_exactly_one_template() {
        let templates = builtin_templates();
        for kind in ALL_KINDS {
            let count = templates.iter().filter(|t| t.kind == kind).count();
            assert_eq!(count, 1, "{kind:?} has {count} templates");
        }
        assert_eq!(templates.len(), ALL_KINDS.len());
    }

    #[test]
    fn builtin_template_finds_by_id() {
        assert_eq!(template("shut_off").kind, FormKind::ShutOff);
        assert!(builtin_template("no_such_template").is_none());
    }

    #[test]
    fn every_text_is_bilingual_and_the_chinese_is_chinese() {
        for t in builtin_templates() {
            for (at, text) in texts(&t) {
                assert!(
                    !text.zh.trim().is_empty() && !text.en.trim().is_empty(),
                    "{at}"
                );
                assert!(
                    text.zh.chars().any(is_cjk),
                    "{at}: zh text has no Chinese: {:?}",
                    text.zh
                );
                assert!(
                    !text.en.chars().any(is_cjk),
                    "{at}: en text has Chinese: {:?}",
                    text.en
                );
            }
        }
    }

    #[test]
    fn major_hazards_need_photo_evidence_and_shut_offs_are_major() {
        for t in builtin_templates() {
            for i in t.items() {
                if let ItemKind::Check { hazard: Some(rule) } = &i.kind {
                    if rule.grade == HazardGrade::Major {
                        assert!(
                            rule.photo_required,
                            "{}.{}: a major hazard needs a photo",
                            t.id, i.id
                        );
                        assert!(
                            rule.advice_required,
                            "{}.{}: a major hazard needs advice",
                            t.id, i.id
                        );
                    }
                    if rule.shut_off {
                        assert_eq!(
                            rule.grade,
                            HazardGrade::Major,
                            "{}.{}: a shut-off is a major hazard",
                            t.id,
                            i.id
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn leak_tests_are_major_hazards_that_shut_the_gas_off() {
        let mut found = 0;
        for t in builtin_templates() {
            if let Some(i) = t.item("leak_test") {
                found += 1;
                let ItemKind::Check { hazard: Some(rule) } = &i.kind else {
                    panic!("{}.leak_test is not a check with a hazard", t.id)
                };
                assert!(i.required, "{}", t.id);
                assert_eq!(rule.grade, HazardGrade::Major, "{}", t.id);
                assert!(
                    rule.photo_required && rule.advice_required && rule.shut_off,
                    "{}",
                    t.id
                );
            }
        }
        assert!(found >= 5, "leak tests in {found} templates");
        for id in ["residential_inspection", "non_residential_inspection"] {
            assert!(template(id).item("leak_test").is_some(), "{id}");
        }
    }

    #[test]
    fn a_flueless_heater_in_the_bathroom_shuts_the_gas_off() {
        let t = template("residential_inspection");
        let i = item(&t, "bathroom_heater_flued");
        assert!(
            matches!(&i.kind, ItemKind::Check { hazard: Some(r) } if r.shut_off && r.grade == HazardGrade::Major)
        );
        assert_eq!(
            i.visible_when.as_ref().unwrap().item,
            "water_heater_not_in_bathroom"
        );
    }

    #[test]
    fn forms_signed_at_the_door_end_with_required_customer_and_technician_signatures() {
        for t in builtin_templates() {
            let customer = item(&t, "customer_signature");
            let technician = item(&t, "technician_signature");
            assert_eq!(customer.signer(), Some(SignerRole::Customer), "{}", t.id);
            assert_eq!(
                technician.signer(),
                Some(SignerRole::Technician),
                "{}",
                t.id
            );
            assert!(customer.required && technician.required, "{}", t.id);
            assert!(
                technician.visible_when.is_none(),
                "{}: the technician always signs",
                t.id
            );
            if t.kind == FormKind::ReturnVisit {
                // Return visits are mostly by phone: the customer signs only at the door.
                continue;
            }
            assert!(
                customer.visible_when.is_none(),
                "{}: the customer always signs",
                t.id
            );
            if t.kind.is_inspection() {
                let items: Vec<_> = t.items().collect();
                let last: Vec<_> = items[items.len() - 2..]
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect();
                assert_eq!(
                    last,
                    ["customer_signature", "technician_signature"],
                    "{}",
                    t.id
                );
            }
        }
    }

    #[test]
    fn meter_readings_are_taken_where_the_supply_changes() {
        for id in [
            "residential_inspection",
            "non_residential_inspection",
            "acceptance_gas_on",
            "shut_off",
            "reconnection",
            "abnormal_use_patrol",
        ] {
            let t = template(id);
            let reading = item(&t, "meter_reading");
            assert!(matches!(reading.kind, ItemKind::MeterReading), "{id}");
            assert!(reading.required && reading.visible_when.is_none(), "{id}");
        }
        let t = template("acceptance_gas_on");
        let serial = item(&t, "meter_serial");
        assert!(matches!(serial.kind, ItemKind::Text { .. }) && serial.required);
    }

    #[test]
    fn shut_off_names_its_reason_and_seal() {
        let t = template("shut_off");
        let reason = item(&t, "shut_off_reason");
        assert!(matches!(reason.kind, ItemKind::SingleChoice { .. }) && reason.required);
        assert_eq!(
            choice_ids(reason),
            [
                "arrears",
                "hazard",
                "planned_works",
                "customer_request",
                "demolition"
            ]
        );
        assert!(matches!(
            item(&t, "seal_number").kind,
            ItemKind::Text { .. }
        ));
    }

    #[test]
    fn repair_referral_shows_only_when_out_of_scope() {
        let t = template("repair_closing");
        assert_eq!(
            choice_ids(item(&t, "repair_result")),
            ["repaired", "out_of_scope"]
        );
        let channel = item(&t, "referral_channel");
        let when = channel.visible_when.as_ref().unwrap();
        assert_eq!(
            (when.item.as_str(), when.is.as_slice()),
            ("repair_result", &["out_of_scope".to_owned()][..])
        );
        assert!(channel.required);
    }

    #[test]
    fn special_group_registration_has_the_fields_the_household_file_needs() {
        let t = template("special_group_registration");
        let groups = item(&t, "groups");
        assert!(matches!(groups.kind, ItemKind::MultipleChoice { min: 1, .. }) && groups.required);
        assert_eq!(choice_ids(groups), ["elderly", "weak", "sick", "disabled"]);
        // Limits match `SpecialGroupRegistration::validate` and `ContactPerson`.
        for (id, limit) in [
            ("needs", 500),
            ("contact_name", 64),
            ("contact_relation", 32),
            ("contact_phone", 32),
        ] {
            let ItemKind::Text { max_len, .. } = item(&t, id).kind else {
                panic!("{id} is not a text")
            };
            assert!(max_len <= limit, "{id}: {max_len} > {limit}");
        }
        let consent = item(&t, "consent");
        assert!(
            matches!(consent.kind, ItemKind::Check { hazard: None })
                && consent.required
                && consent.visible_when.is_none()
        );
    }

    #[test]
    fn return_visit_scores_run_from_one_to_five() {
        let t = template("return_visit");
        let scores: Vec<_> = t.items().filter(|i| i.id.starts_with("score_")).collect();
        assert_eq!(scores.len(), 4);
        for i in scores {
            let ItemKind::Number {
                unit,
                decimals,
                min,
                max,
            } = &i.kind
            else {
                panic!("{} is not a number", i.id)
            };
            assert_eq!(*unit, crate::forms::template::Unit::Score, "{}", i.id);
            assert_eq!(*decimals, 0, "{}", i.id);
            assert_eq!(
                (min.unwrap().to_string(), max.unwrap().to_string()),
                ("1".into(), "5".into()),
                "{}",
                i.id
            );
            assert!(i.required, "{}", i.id);
        }
        assert!(matches!(
            item(&t, "linked_reference").kind,
            ItemKind::Text { .. }
        ));
    }
}
