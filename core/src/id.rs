//! Record identifiers: UUIDs as lowercase hyphenated hex text, made where the record is created.
//! One spelling only, so one record can never hide under two ids.

/// True for the 36-character lowercase hyphenated UUID form (any version; the app makes v7).
pub fn is_record_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
}

/// When a UUID version 7 id was made, in Unix milliseconds: its first 48 bits (DESIGN.md). `None`
/// for any other id.
pub fn made_at(id: &str) -> Option<i64> {
    let hex: String = id.chars().filter(|c| *c != '-').take(13).collect();
    let (time, version) = hex.split_at_checked(12)?;
    if version != "7" {
        return None;
    }
    i64::from_str_radix(time, 16).ok()
}

/// The same UUID version 7 id made at `millis` instead: its random part kept, its time replaced,
/// so a record imported from the past counts from the day it was really made. `None` for any
/// other id or a time outside 48 bits.
pub fn remade_at(id: &str, millis: i64) -> Option<String> {
    made_at(id)?;
    if !(0..1 << 48).contains(&millis) {
        return None;
    }
    let time = format!("{millis:012x}");
    Some(format!("{}-{}{}", &time[..8], &time[8..], &id[13..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v7_id_tells_and_takes_the_time_it_was_made() {
        let id = "0193b3c4-7a1e-7abc-8def-0123456789ab";
        assert_eq!(made_at(id), Some(0x0193_b3c4_7a1e));
        let remade = remade_at(id, 1_735_689_600_000).unwrap();
        assert!(is_record_id(&remade));
        assert_eq!(made_at(&remade), Some(1_735_689_600_000));
        assert_eq!(&remade[13..], &id[13..]);
        assert_eq!(made_at("0193b3c4-7a1e-4abc-8def-0123456789ab"), None);
        assert_eq!(remade_at("0193b3c4-7a1e-4abc-8def-0123456789ab", 0), None);
        assert_eq!(remade_at(id, -1), None);
        assert_eq!(remade_at(id, 1 << 48), None);
    }

    #[test]
    fn only_hyphenated_uuids_are_record_ids() {
        assert!(is_record_id("0193b3c4-7a1e-7000-8000-000000000001"));
        assert!(!is_record_id("0193B3C4-7A1E-7000-8000-00000000000F"));
        assert!(!is_record_id("0193b3c47a1e70008000000000000001"));
        assert!(!is_record_id("0193b3c4-7a1e-7000-8000-00000000000g"));
        assert!(!is_record_id("'; drop table records; --'"));
    }
}
