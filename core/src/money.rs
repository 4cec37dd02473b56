//! Amounts in their currency. Money fields hold minor units (分, cents) of the record's `currency`
//! (CNY when it names none). Figures over many records (the funnel, the board, forecasts) are in the
//! company's currency, CNY: an amount in another currency converts at the rate the company sets
//! with its funnel settings (`rate_usd`, `rate_eur`: 分 per one unit), and an amount in a currency
//! without a rate stays out of those figures, which say how many deals that leaves out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The company's currency, in which figures over many records are given.
pub const COMPANY_CURRENCY: &str = "CNY";

/// (currency, the company unit's field holding its rate in 分 per one unit).
pub const RATE_FIELDS: [(&str, &str); 2] = [("USD", "rate_usd"), ("EUR", "rate_eur")];

/// The sign written before an amount: `¥`, `US$`, `€`; a currency we do not know is written by its
/// code.
pub fn symbol(currency: &str) -> &str {
    match currency {
        "CNY" | "" => "¥",
        "USD" => "US$",
        "EUR" => "€",
        other => other,
    }
}

/// Minor units for reading, in their currency: `123456789, Some("USD")` → `US$1,234,567.89`; no
/// currency is the company's.
pub fn format_money(amount: i64, currency: Option<&str>) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let amount = amount.unsigned_abs();
    // Whole units fit an i64: a u64 of minor units over 100 does.
    let grouped = crate::export::grouped((amount / 100) as i64);
    let symbol = symbol(currency.unwrap_or(COMPANY_CURRENCY));
    format!("{sign}{symbol}{grouped}.{:02}", amount % 100)
}

/// The company's exchange rates: 分 per one unit of each other currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub usd: Option<i64>,
    pub eur: Option<i64>,
}

impl Rates {
    /// The rates written on the company unit; a rate left empty (or not above zero) is not set.
    pub fn from_company(fields: &Map<String, Value>) -> Rates {
        let rate = |name: &str| fields.get(name).and_then(Value::as_i64).filter(|r| *r > 0);
        Rates {
            usd: rate(RATE_FIELDS[0].1),
            eur: rate(RATE_FIELDS[1].1),
        }
    }

    fn of(&self, currency: &str) -> Option<i64> {
        match currency {
            "USD" => self.usd,
            "EUR" => self.eur,
            _ => None,
        }
    }

    /// An amount in `currency` (minor units) in 分, rounded half away from zero; the same amount
    /// for the company's own currency or none; `None` when the company sets no rate for it.
    pub fn to_company(&self, amount: i64, currency: Option<&str>) -> Option<i64> {
        let currency = currency.unwrap_or(COMPANY_CURRENCY);
        if currency == COMPANY_CURRENCY || currency.is_empty() {
            return Some(amount);
        }
        let rate = i128::from(self.of(currency)?);
        let product = i128::from(amount) * rate;
        let rounded = (product.abs() + 50) / 100 * product.signum();
        i64::try_from(rounded).ok()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn amounts_are_written_in_their_own_currency() {
        assert_eq!(format_money(123_456_789, None), "¥1,234,567.89");
        assert_eq!(format_money(123_456_789, Some("CNY")), "¥1,234,567.89");
        assert_eq!(format_money(100_050, Some("USD")), "US$1,000.50");
        assert_eq!(format_money(-7, Some("EUR")), "-€0.07");
        assert_eq!(format_money(100, Some("GBP")), "GBP1.00");
    }

    #[test]
    fn other_currencies_convert_at_the_companys_rates_or_stay_out() {
        let company =
            json!({"name": "示例公司", "kind": "company", "rate_usd": 712, "rate_eur": 0});
        let rates = Rates::from_company(company.as_object().unwrap());
        assert_eq!(
            rates,
            Rates {
                usd: Some(712),
                eur: None
            }
        );
        // US$1,000.00 at ¥7.12 is ¥7,120.00; a cent is 7.12 分, rounded to 7.
        assert_eq!(rates.to_company(100_000, Some("USD")), Some(712_000));
        assert_eq!(rates.to_company(1, Some("USD")), Some(7));
        assert_eq!(rates.to_company(-1, Some("USD")), Some(-7));
        assert_eq!(rates.to_company(5_000, Some("CNY")), Some(5_000));
        assert_eq!(rates.to_company(5_000, None), Some(5_000));
        assert_eq!(rates.to_company(5_000, Some("EUR")), None);
        assert_eq!(rates.to_company(i64::MAX, Some("USD")), None);
    }
}
