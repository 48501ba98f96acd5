//! What a password must be: long enough, not one of the passwords every attacker tries first,
//! and not the username.

use super::AccountError;

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 8;

/// The most used passwords that pass the length rule, from published leak rankings and their
/// Indonesian favourites; compared ignoring case.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "00000000",
    "12341234",
    "11223344",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "qwertyui",
    "qwerty123",
    "1q2w3e4r",
    "1qaz2wsx",
    "abcd1234",
    "asdfghjk",
    "iloveyou",
    "sunshine",
    "football",
    "baseball",
    "princess",
    "welcome1",
    "admin123",
    "administrator",
    "katasandi",
    "katasandi123",
    "indonesia",
    "indonesia1",
    "bismillah",
    "bismillah123",
    "sayangku",
    "sayang123",
    "rahasia1",
    "desmigratif",
    "disnaker",
    "merdeka45",
    "jakarta1",
    "surabaya",
    "malang123",
    "alhamdulillah",
];

/// Refuses a password that is short, common, or the username itself.
pub fn check_password(username: &str, password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(AccountError::WeakPassword);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || lower == username.to_lowercase() {
        return Err(AccountError::CommonPassword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_username_passwords_are_refused() {
        assert!(matches!(
            check_password("desa-a", "pendek"),
            Err(AccountError::WeakPassword)
        ));
        assert!(matches!(
            check_password("desa-a", "Password123"),
            Err(AccountError::CommonPassword)
        ));
        assert!(matches!(
            check_password("desa-a", "BISMILLAH"),
            Err(AccountError::CommonPassword)
        ));
        assert!(matches!(
            check_password("petugas-arjo", "Petugas-Arjo"),
            Err(AccountError::CommonPassword)
        ));
        check_password("desa-a", "kebun-kopi-17").unwrap();
    }
}
