//! Attachments: files stored once on the server under their SHA-256 and named from records (a
//! report's display photos, a competitor's photo). A record holds only the hash; the file travels
//! beside the sync, in chunks that resume after a dropped connection.
//!
//! The rules both sides keep:
//! - a file is named by the lowercase hex SHA-256 of its bytes ([`hash`]);
//! - only images are taken ([`TYPES`], recognised by their first bytes, not by a declared name);
//! - at most [`MAX_BYTES`] a file, sent in chunks of at most [`CHUNK_BYTES`];
//! - a file may be uploaded or read only through a record that names it ([`named_by`]) and that the
//!   caller sees (and, to upload, may edit).

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::domain::{Collection, FieldDef, FieldKind};

/// The largest file taken: a photo shrunk on the device is far below it.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// The largest chunk one request carries.
pub const CHUNK_BYTES: usize = 256 * 1024;
/// The file types taken, as `Content-Type` values.
pub const TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// The name of a file: its SHA-256 as 64 lowercase hex digits.
pub fn hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut text = String::with_capacity(64);
    for byte in digest {
        text.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        text.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    text
}

/// Hashes a file given in pieces, as a server reading stored chunks does.
#[derive(Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> String {
        let digest = self.0.finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// True for 64 lowercase hex digits.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The image type of a file by its first bytes, if it is one of [`TYPES`].
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The hashes of the files a record names, in field order, each once.
pub fn named_by(collection: Collection, fields: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    collect(collection.fields(), fields, &mut out);
    out
}

/// True if records of `collection` can name files (it has an attachment field, in lines or not).
pub fn names_files(collection: Collection) -> bool {
    fn any(defs: &[FieldDef]) -> bool {
        defs.iter().any(|def| match def.kind {
            FieldKind::Attachment => true,
            FieldKind::Lines(inner) => any(inner),
            _ => false,
        })
    }
    any(collection.fields())
}

/// True if the record names the file.
pub fn is_named_by(collection: Collection, fields: &Map<String, Value>, file: &str) -> bool {
    named_by(collection, fields).iter().any(|h| h == file)
}

fn collect(defs: &[FieldDef], fields: &Map<String, Value>, out: &mut Vec<String>) {
    for def in defs {
        match (def.kind, fields.get(def.name)) {
            (FieldKind::Attachment, Some(Value::String(h))) if is_hash(h) && !out.contains(h) => {
                out.push(h.clone());
            }
            (FieldKind::Lines(inner), Some(Value::Array(rows))) => {
                for row in rows.iter().filter_map(Value::as_object) {
                    collect(inner, row, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_file_is_named_by_its_sha256() {
        assert_eq!(
            hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut pieces = Hasher::default();
        pieces.update(b"a");
        pieces.update(b"bc");
        assert_eq!(pieces.finish(), hash(b"abc"));
        assert!(is_hash(&hash(b"")));
        assert!(!is_hash(&hash(b"").to_uppercase()));
        assert!(!is_hash("abc"));
    }

    #[test]
    fn only_images_are_recognised() {
        assert_eq!(
            sniff(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_report_names_its_display_and_competitor_photos() {
        let (a, b) = (hash(b"display"), hash(b"competitor"));
        let report = json!({
            "display_photos": [{"photo": a, "caption": "端架"}, {"photo": a}],
            "competitor_activity": [{"brand": "某品牌", "photo": b}, {"brand": "无图"}],
            "notes": hash(b"not a file field"),
        });
        let report = report.as_object().unwrap();
        assert_eq!(
            named_by(Collection::PromotionReport, report),
            vec![a.clone(), b]
        );
        assert!(is_named_by(Collection::PromotionReport, report, &a));
        assert!(!is_named_by(
            Collection::PromotionReport,
            report,
            &hash(b"not a file field")
        ));
    }

    #[test]
    fn only_promotion_reports_name_files_today() {
        let naming: Vec<Collection> = Collection::ALL
            .into_iter()
            .filter(|c| names_files(*c))
            .collect();
        assert_eq!(naming, [Collection::PromotionReport]);
    }
}
