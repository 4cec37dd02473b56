//! The company's funnel settings (漏斗设置) as the company org unit keeps them.

use serde_json::{Map, Value};

use super::{FunnelSettings, PerStage};
use crate::domain::{STALL_DAYS_FIELDS, WIN_PROBABILITY_FIELDS};

impl FunnelSettings {
    /// The settings written on the company unit; a probability left empty keeps its default, a
    /// stall limit left empty means "beyond the stage's 90th percentile".
    pub fn from_company(fields: &Map<String, Value>) -> FunnelSettings {
        let defaults = FunnelSettings::default();
        let number = |name: &str| fields.get(name).and_then(Value::as_u64);
        let [aware, compare, negotiate, commit] = WIN_PROBABILITY_FIELDS;
        let default = defaults.probability_percent;
        let percent = |name: &str, fallback: u8| {
            number(name)
                .and_then(|p| u8::try_from(p.min(100)).ok())
                .unwrap_or(fallback)
        };
        let [s_aware, s_compare, s_negotiate, s_commit] = STALL_DAYS_FIELDS;
        let days = |name: &str| number(name).and_then(|d| u32::try_from(d).ok());
        FunnelSettings {
            probability_percent: PerStage {
                aware: percent(aware, default.aware),
                compare: percent(compare, default.compare),
                negotiate: percent(negotiate, default.negotiate),
                commit: percent(commit, default.commit),
            },
            stall_limit_days: PerStage {
                aware: days(s_aware),
                compare: days(s_compare),
                negotiate: days(s_negotiate),
                commit: days(s_commit),
            },
            rates: crate::money::Rates::from_company(fields),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_company_sets_probabilities_and_stall_limits_and_the_rest_keeps_defaults() {
        let company = json!({
            "name": "示例公司", "kind": "company",
            "win_probability_compare": 30, "win_probability_commit": 90,
            "stall_days_negotiate": 21,
        });
        let settings = FunnelSettings::from_company(company.as_object().unwrap());
        let defaults = FunnelSettings::default().probability_percent;
        assert_eq!(
            settings.probability_percent,
            PerStage {
                aware: defaults.aware,
                compare: 30,
                negotiate: defaults.negotiate,
                commit: 90
            }
        );
        assert_eq!(
            settings.stall_limit_days,
            PerStage {
                aware: None,
                compare: None,
                negotiate: Some(21),
                commit: None
            }
        );
    }

    #[test]
    fn a_company_without_settings_gets_the_defaults() {
        let company = json!({"name": "示例公司", "kind": "company"});
        assert_eq!(
            FunnelSettings::from_company(company.as_object().unwrap()),
            FunnelSettings::default()
        );
    }
}
