//! Sign-in: what a login is, and the wire types shared by the server that answers and the web app
//! that asks.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::{locale::Locale, scope::Role};

/// The longest login, in characters (not bytes) of its stored form.
pub const MAX_LOGIN_CHARS: usize = 64;

/// Why text cannot be a login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Nothing but white space.
    Empty,
    TooLong,
    /// The first character that is neither a letter or digit nor `.`, `_`, `-`.
    Character(char),
}

/// The stored form of a login, or why `text` cannot be one. The one rule for logins wherever they
/// come from (a typed sign-in, the user record, an HR export, a portal header, an OpenID claim):
/// letters and digits of any script (`françois`, `张伟`, HR exports use names) and `.`, `_`, `-`;
/// trimmed, lowercased and in Unicode NFC, so `François`, `FRANÇOIS` and `franc` + U+0327 + `ois`
/// (as macOS and some exports write it) are one login; 1 to `MAX_LOGIN_CHARS` characters.
pub fn normalise_login(text: &str) -> Result<String, LoginError> {
    // NFC after lowercasing: a lowercase mapping may leave letters decomposed (`İ` → `i` + U+0307).
    let login: String = text.trim().to_lowercase().nfc().collect();
    if login.is_empty() {
        return Err(LoginError::Empty);
    }
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(LoginError::TooLong);
    }
    match login
        .chars()
        .find(|&c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Some(c) => Err(LoginError::Character(c)),
        None => Ok(login),
    }
}

impl LoginError {
    pub fn message(self, locale: Locale) -> String {
        match (self, locale) {
            (Self::Empty, Locale::ZhCn) => "请填写登录名".to_owned(),
            (Self::Empty, Locale::En) => "a login is required".to_owned(),
            (Self::TooLong, Locale::ZhCn) => format!("登录名不能超过 {MAX_LOGIN_CHARS} 个字符"),
            (Self::TooLong, Locale::En) => {
                format!("a login is at most {MAX_LOGIN_CHARS} characters")
            }
            (Self::Character(c), Locale::ZhCn) => format!(
                "登录名不能包含{}；只能使用任何语言的字母、数字和 . _ -",
                shown(c)
            ),
            (Self::Character(c), Locale::En) => format!(
                "a login cannot contain {}; use letters and digits of any language, '.', '_' or '-'",
                shown(c)
            ),
        }
    }
}

/// A character as a message names it: white space and control characters cannot be seen, so by
/// their code point alone.
fn shown(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    if c.is_whitespace() || c.is_control() {
        code
    } else {
        format!("“{c}” ({code})")
    }
}

impl std::fmt::Display for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

impl std::error::Error for LoginError {}

/// `POST /api/v1/auth/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// A successful sign-in: the bearer token (shown once) and who it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    /// RFC 3339 UTC.
    pub expires_at: String,
    pub user: Me,
}

/// The signed-in user, as `GET /api/v1/me` and the app's top bar show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user_id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit_id: String,
}

/// The shortest password accepted, wherever one is set.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A person's sign-in account, as the admin's pages show it (`/api/v1/accounts/{user_id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountState {
    pub user_id: String,
    pub login: String,
    pub disabled: bool,
    /// Open sessions (signed-in devices) now.
    pub sessions: i64,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn an_ascii_login_stays_as_it_is() {
        for login in ["wang.wei", "li_na-02", "e00001"] {
            assert_eq!(normalise_login(login).as_deref(), Ok(login));
        }
    }

    #[test]
    fn a_login_is_trimmed_and_lowercased() {
        assert_eq!(normalise_login("  François ").as_deref(), Ok("françois"));
        assert_eq!(normalise_login("ZHANG3").as_deref(), Ok("zhang3"));
    }

    #[test]
    fn a_decomposed_accent_is_the_same_login_as_the_composed_letter() {
        let composed = normalise_login("fran\u{e7}ois").unwrap();
        assert_eq!(normalise_login("franc\u{327}ois"), Ok(composed.clone()));
        assert_eq!(normalise_login("FRANC\u{327}OIS"), Ok(composed.clone()));
        assert_eq!(composed.chars().count(), 8, "one letter ç");
    }

    #[test]
    fn letters_and_digits_of_any_language_are_allowed() {
        for login in ["张伟", "josé.garcía-2", "müller_3", "иван", "สมชาย", "٣٤"]
        {
            assert_eq!(normalise_login(login).as_deref(), Ok(login), "{login}");
        }
    }

    #[test]
    fn other_characters_are_refused_and_named() {
        for (text, c) in [
            ("wang wei", ' '),
            ("li/na", '/'),
            ("wang@corp.cn", '@'),
            ("tab\there", '\t'),
            ("nul\0", '\0'),
            ("smile😀", '😀'),
            ("zero\u{200b}width", '\u{200b}'),
        ] {
            let error = normalise_login(text).unwrap_err();
            assert_eq!(error, LoginError::Character(c), "{text:?}");
            let code = format!("U+{:04X}", u32::from(c));
            for locale in Locale::ALL {
                assert!(error.message(locale).contains(&code), "{text:?} {locale:?}");
            }
        }
        assert!(LoginError::Character('/')
            .message(Locale::En)
            .contains("“/”"));
    }

    #[test]
    fn a_login_is_1_to_64_characters_of_its_stored_form() {
        let longest = "张".repeat(MAX_LOGIN_CHARS);
        assert_eq!(normalise_login(&longest), Ok(longest.clone()));
        assert_eq!(
            normalise_login(&"a".repeat(MAX_LOGIN_CHARS + 1)),
            Err(LoginError::TooLong)
        );
        // 64 letters written with 128 characters are one login of 64.
        let decomposed = "e\u{301}".repeat(MAX_LOGIN_CHARS);
        assert_eq!(
            normalise_login(&decomposed),
            Ok("é".repeat(MAX_LOGIN_CHARS))
        );
        for blank in ["", "   ", "\u{3000}"] {
            assert_eq!(normalise_login(blank), Err(LoginError::Empty), "{blank:?}");
        }
    }

    #[test]
    fn every_error_has_both_languages() {
        for error in [
            LoginError::Empty,
            LoginError::TooLong,
            LoginError::Character('/'),
        ] {
            assert_ne!(error.message(Locale::ZhCn), error.message(Locale::En));
            assert_eq!(error.to_string(), error.message(Locale::En));
        }
    }

    proptest! {
        /// The stored form is a fixed point, so a stored login always passes the record's rule.
        #[test]
        fn normalising_a_login_twice_changes_nothing(text in "[\\p{L}\\p{N}\\p{M}._ -]{0,70}") {
            if let Ok(login) = normalise_login(&text) {
                prop_assert_eq!(normalise_login(&login), Ok(login.clone()));
            }
        }
    }
}
