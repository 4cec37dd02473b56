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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyphenated_uuids_are_record_ids() {
        assert!(is_record_id("0193b3c4-7a1e-7000-8000-000000000001"));
        assert!(!is_record_id("0193B3C4-7A1E-7000-8000-00000000000F"));
        assert!(!is_record_id("0193b3c47a1e70008000000000000001"));
        assert!(!is_record_id("0193b3c4-7a1e-7000-8000-00000000000g"));
        assert!(!is_record_id("'; drop table records; --'"));
    }
}
