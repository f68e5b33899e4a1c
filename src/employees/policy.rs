//! The password policy (NIST SP 800-63B style) and e-mail addresses as employees are known by.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::EmployeeError;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// The password policy (NIST SP 800-63B style): 12 to 128 characters of any kind, no
/// composition rules; refused when it is a common password (case-insensitively), one
/// character repeated, or the e-mail address or its local part.
pub fn check_password(password: &str, email: &str) -> Result<(), EmployeeError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(EmployeeError::WeakPassword);
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(EmployeeError::LongPassword);
    }
    let lower = password.trim().to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) || COMMON.contains(&lower) {
        return Err(EmployeeError::CommonPassword);
    }
    let email = normalise_email(email);
    let local = email.rsplit_once('@').map(|(l, _)| l).unwrap_or(&email);
    if !email.is_empty() && (lower == email || lower == local) {
        return Err(EmployeeError::PasswordIsEmail);
    }
    Ok(())
}

/// E-mail addresses are compared trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn valid_email(email: &str) -> bool {
    email.contains('@') && email.len() >= 3 && !email.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        let email = "Ada.Lovelace@example.com";
        let check = |p: &str| check_password(p, email);
        assert!(matches!(
            check("short pass"),
            Err(EmployeeError::WeakPassword)
        ));
        assert!(matches!(
            check("ééééé-ééééé"),
            Err(EmployeeError::WeakPassword)
        ));
        assert!(matches!(
            check(&"ab".repeat(65)),
            Err(EmployeeError::LongPassword)
        ));
        assert!(check(&"ab".repeat(64)).is_ok(), "128 characters are fine");
        // Characters, not bytes: 128 two-byte characters pass.
        assert!(check(&"éà".repeat(64)).is_ok());
        for common in [
            "password1234",
            "PassWord1234",
            "123456789012",
            "qwertyuiopas",
            "iloveyou1234",
            "passwordpassword",
            "administrator",
            "Letmein12345",
            "correct horse battery staple",
        ] {
            assert!(
                matches!(check(common), Err(EmployeeError::CommonPassword)),
                "{common}"
            );
        }
        assert!(matches!(
            check("zzzzzzzzzzzzzz"),
            Err(EmployeeError::CommonPassword)
        ));
        assert!(matches!(
            check("ZZZZZZzzzzzzzz"),
            Err(EmployeeError::CommonPassword)
        ));
        assert!(matches!(
            check("ada.lovelace@EXAMPLE.com"),
            Err(EmployeeError::PasswordIsEmail)
        ));
        assert!(matches!(
            check("Ada.Lovelace"),
            Err(EmployeeError::PasswordIsEmail)
        ));
        for ok in [
            "a long enough password",
            "tr0ub4dor&3-horse",
            "日本語のパスワードです！",
            "Password1234 but longer",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        assert!(
            matches!(check("           x"), Err(EmployeeError::CommonPassword)),
            "surrounding blanks do not count"
        );
        assert_eq!(
            EmployeeError::LongPassword.to_string(),
            "the password must have at most 128 characters"
        );
        assert_eq!(
            EmployeeError::CommonPassword.to_string(),
            "this password is too common; choose another one"
        );
    }

    #[test]
    fn limits_are_counted_in_characters_at_the_edges() {
        let email = "ops@example.com";
        let eleven = "kx9-vq2-ms7";
        assert_eq!(eleven.chars().count(), MIN_PASSWORD_CHARS - 1);
        assert!(matches!(
            check_password(eleven, email),
            Err(EmployeeError::WeakPassword)
        ));
        assert!(
            check_password("kx9-vq2-ms7p", email).is_ok(),
            "12 is enough"
        );
        // 12 characters of 4 bytes each: the count is in characters, not bytes.
        assert!(check_password("🔒🔑🗝🚪🧱🪟🏠🏡🏢🏣🏤🏥", email).is_ok());
        assert!(matches!(
            check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1), email),
            Err(EmployeeError::LongPassword)
        ));
        // No e-mail given (nothing to compare with): only the other rules apply.
        assert!(check_password("a long enough password", "").is_ok());
        assert!(matches!(
            check_password(" Operations.Team ", "operations.team@example.com"),
            Err(EmployeeError::PasswordIsEmail)
        ));
    }

    #[test]
    fn e_mail_addresses() {
        assert_eq!(normalise_email("  Ada@Example.COM \n"), "ada@example.com");
        assert!(valid_email("a@b"));
        assert!(!valid_email("ab"), "no @");
        assert!(!valid_email("@"), "too short");
        assert!(!valid_email("ada lovelace@example.com"), "blank inside");
    }

    #[test]
    fn common_list_is_loaded() {
        assert!(COMMON.len() > 300, "{}", COMMON.len());
        assert!(COMMON.iter().all(|p| p == &p.to_lowercase()));
    }
}
