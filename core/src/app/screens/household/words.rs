//! The household file's words for the kinds of things a file holds, in both languages.

use crate::household::{ApplianceKind, Category, FlueType, MeterKind, SpecialGroup};
use crate::text::{Text, said};

pub(super) fn category(c: Category) -> Text {
    match c {
        Category::Residential => said("居民", "residential"),
        Category::Commercial => said("商业", "commercial"),
        Category::Industrial => said("工业", "industrial"),
        Category::Heating => said("采暖", "heating"),
    }
}

pub(super) fn meter_kind(k: MeterKind) -> Text {
    match k {
        MeterKind::Diaphragm => said("膜式表", "diaphragm meter"),
        MeterKind::IcCard => said("IC卡表", "IC-card meter"),
        MeterKind::Remote => said("远传表", "remote-reading meter"),
        MeterKind::Ultrasonic => said("超声波表", "ultrasonic meter"),
        MeterKind::Industrial => said("工商业流量计", "industrial meter"),
    }
}

pub(super) fn appliance(k: ApplianceKind) -> Text {
    match k {
        ApplianceKind::Stove => said("燃气灶", "stove"),
        ApplianceKind::WaterHeater => said("燃气热水器", "water heater"),
        ApplianceKind::WallBoiler => said("壁挂炉", "wall boiler"),
        ApplianceKind::Oven => said("燃气烤箱", "oven"),
        ApplianceKind::Dryer => said("燃气干衣机", "dryer"),
        ApplianceKind::CommercialBurner => said("商用灶", "commercial burner"),
        ApplianceKind::IndustrialBoiler => said("工业锅炉", "industrial boiler"),
        ApplianceKind::Other => said("其他燃气具", "other appliance"),
    }
}

pub(super) fn flue(f: FlueType) -> Text {
    match f {
        FlueType::None => said("无烟道", "none"),
        FlueType::Natural => said("自然排气", "natural draught"),
        FlueType::ForcedExhaust => said("强排", "forced exhaust"),
        FlueType::Balanced => said("平衡式", "balanced"),
    }
}

pub(super) fn group(g: SpecialGroup) -> Text {
    match g {
        SpecialGroup::Elderly => said("老年人", "elderly"),
        SpecialGroup::Weak => said("体弱", "frail"),
        SpecialGroup::Sick => said("患病", "ill"),
        SpecialGroup::Disabled => said("残疾人", "disabled"),
    }
}
