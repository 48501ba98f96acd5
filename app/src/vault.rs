//! The device's vault: what the app keeps in IndexedDB (document chunks, sync states, stored
//! views) and the account's token are encrypted at rest with AES-GCM through the browser's
//! WebCrypto (`SubtleCrypto`); no cryptography is written here.
//!
//! Each account on a device has a random 256-bit data key. It is never stored as it is: it is
//! wrapped (AES-GCM) by a key derived from the PIN the user sets, with PBKDF2-SHA256 at 600,000
//! iterations and a random salt, and only the wrapped key is kept (`localStorage`,
//! `desmigratif.vault.<account>`). PBKDF2 because it is the one password-based derivation
//! WebCrypto offers (no scrypt or Argon2 without shipping our own), at the iteration count
//! OWASP gives for PBKDF2-HMAC-SHA256. A wrong PIN derives another key, and AES-GCM refuses to
//! unwrap with it: the PIN is never stored and never checked any other way. The unwrapped data
//! key lives only in memory, not extractable.
//!
//! A sealed value is `MAGIC | 12-byte IV | ciphertext and tag`; a value without the magic is
//! plaintext from a version before the vault, encrypted in place at the first unlock
//! (`DocStorage::seal_plaintext`).

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::session;

/// The first bytes of every sealed value ("Desmigratif, encrypted, version 1").
const MAGIC: &[u8; 4] = b"DMe1";
const IV_LEN: usize = 12;
/// PBKDF2-SHA256 iterations (OWASP's figure for this hash).
pub const ITERATIONS: u32 = 600_000;
/// Wrong PINs in a row after which the account's data is wiped from the device.
pub const MAX_ATTEMPTS: u32 = 10;
/// The shortest PIN or passphrase accepted.
pub const MIN_PIN: usize = 6;

/// Why the vault did not open or did not do its work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultError {
    /// The PIN did not unwrap the data key; `left` attempts remain before the wipe.
    WrongPin { left: u32 },
    /// That was the last attempt: the caller wipes the account's data.
    TooManyAttempts,
    /// No vault for this account on this device.
    Missing,
    /// WebCrypto or storage failed (the message says how).
    Crypto(String),
}

impl From<JsValue> for VaultError {
    fn from(e: JsValue) -> Self {
        VaultError::Crypto(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| format!("{e:?}")),
        )
    }
}

/// What is kept of the vault on the device: the wrapped data key and how to derive the key
/// that unwraps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    salt: String,
    iterations: u32,
    iv: String,
    wrapped: String,
}

fn stored_key(username: &str) -> String {
    format!("desmigratif.vault.{username}")
}

fn failures_key(username: &str) -> String {
    format!("desmigratif.vault.{username}.failures")
}

/// The unlocked vault: the data key, in memory only.
#[derive(Clone, Debug)]
pub struct Vault {
    key: CryptoKey,
}

/// WebCrypto of the global scope: the window's, or the documents' worker's.
fn crypto() -> Result<web_sys::Crypto, VaultError> {
    js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok())
        .ok_or_else(|| VaultError::Crypto("no WebCrypto here".into()))
}

fn subtle() -> Result<SubtleCrypto, VaultError> {
    Ok(crypto()?.subtle())
}

fn random(len: usize) -> Result<Vec<u8>, VaultError> {
    let mut bytes = vec![0u8; len];
    crypto()?.get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}

fn object(entries: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in entries {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn usages(names: &[&str]) -> JsValue {
    names
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect::<Array>()
        .into()
}

fn aes_gcm(iv: &[u8]) -> Object {
    object(&[("name", "AES-GCM".into()), ("iv", Uint8Array::from(iv).into())])
}

async fn resolve(p: Result<Promise, JsValue>) -> Result<JsValue, VaultError> {
    Ok(JsFuture::from(p?).await?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The key that wraps the data key, from the PIN.
async fn pin_key(pin: &str, salt: &[u8], iterations: u32) -> Result<CryptoKey, VaultError> {
    let subtle = subtle()?;
    let base = resolve(subtle.import_key_with_str(
        "raw",
        &Uint8Array::from(pin.as_bytes()),
        "PBKDF2",
        false,
        &usages(&["deriveKey"]),
    ))
    .await?;
    let derive = object(&[
        ("name", "PBKDF2".into()),
        ("hash", "SHA-256".into()),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", iterations.into()),
    ]);
    let key = resolve(subtle.derive_key_with_object_and_object(
        &derive,
        base.unchecked_ref(),
        &object(&[("name", "AES-GCM".into()), ("length", 256.into())]),
        false,
        &usages(&["wrapKey", "unwrapKey"]),
    ))
    .await?;
    Ok(key.unchecked_into())
}

async fn unwrap(stored: &Stored, wrapping: &CryptoKey) -> Result<CryptoKey, VaultError> {
    let (Some(iv), Some(wrapped)) = (unhex(&stored.iv), unhex(&stored.wrapped)) else {
        return Err(VaultError::Crypto("the stored key is damaged".into()));
    };
    let key = resolve(subtle()?.unwrap_key_with_u8_array_and_object_and_object(
        "raw",
        &wrapped,
        wrapping,
        &aes_gcm(&iv),
        &object(&[("name", "AES-GCM".into())]),
        false,
        &usages(&["encrypt", "decrypt"]),
    ))
    .await?;
    Ok(key.unchecked_into())
}

fn load(username: &str) -> Option<Stored> {
    serde_json::from_str(&session::get_item(&stored_key(username))?).ok()
}

/// Whether this account has a vault on this device (it then opens with the PIN).
pub fn exists(username: &str) -> bool {
    load(username).is_some()
}

/// Wrong PINs typed in a row for this account on this device.
pub fn failures(username: &str) -> u32 {
    session::get_item(&failures_key(username))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Removes the account's vault: whatever it sealed can no longer be read on this device.
pub fn forget(username: &str) {
    session::remove_item(&stored_key(username));
    session::remove_item(&failures_key(username));
}

impl Vault {
    /// The vault of a data key handed over by the window (the documents' worker's).
    pub fn from_key(key: CryptoKey) -> Self {
        Self { key }
    }

    /// The data key, to hand to the documents' worker (cloned by the browser, never exported).
    pub fn key(&self) -> &CryptoKey {
        &self.key
    }

    /// Makes a new data key for the account and keeps it wrapped by `pin`.
    pub async fn create(username: &str, pin: &str) -> Result<Self, VaultError> {
        let subtle = subtle()?;
        let data_key: CryptoKey = resolve(subtle.generate_key_with_object(
            &object(&[("name", "AES-GCM".into()), ("length", 256.into())]),
            true,
            &usages(&["encrypt", "decrypt"]),
        ))
        .await?
        .unchecked_into();
        let salt = random(16)?;
        let wrapping = pin_key(pin, &salt, ITERATIONS).await?;
        let iv = random(IV_LEN)?;
        let wrapped =
            resolve(subtle.wrap_key_with_object("raw", &data_key, &wrapping, &aes_gcm(&iv))).await?;
        let stored = Stored {
            salt: hex(&salt),
            iterations: ITERATIONS,
            iv: hex(&iv),
            wrapped: hex(&Uint8Array::new(&wrapped).to_vec()),
        };
        // The key kept in memory is the unwrapped copy, which cannot be extracted.
        let key = unwrap(&stored, &wrapping).await?;
        session::set_item(
            &stored_key(username),
            &serde_json::to_string(&stored).expect("the vault serialises"),
        );
        session::remove_item(&failures_key(username));
        Ok(Self { key })
    }

    /// Opens the account's vault with `pin`. A wrong PIN counts towards [`MAX_ATTEMPTS`].
    pub async fn unlock(username: &str, pin: &str) -> Result<Self, VaultError> {
        let stored = load(username).ok_or(VaultError::Missing)?;
        let salt =
            unhex(&stored.salt).ok_or_else(|| VaultError::Crypto("the stored key is damaged".into()))?;
        let wrapping = pin_key(pin, &salt, stored.iterations).await?;
        match unwrap(&stored, &wrapping).await {
            Ok(key) => {
                session::remove_item(&failures_key(username));
                Ok(Self { key })
            }
            Err(_) => {
                let failed = failures(username) + 1;
                session::set_item(&failures_key(username), &failed.to_string());
                if failed >= MAX_ATTEMPTS {
                    Err(VaultError::TooManyAttempts)
                } else {
                    Err(VaultError::WrongPin {
                        left: MAX_ATTEMPTS - failed,
                    })
                }
            }
        }
    }

    /// `plain`, encrypted: `MAGIC | IV | ciphertext`.
    pub async fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, VaultError> {
        let iv = random(IV_LEN)?;
        let sealed =
            resolve(subtle()?.encrypt_with_object_and_u8_array(&aes_gcm(&iv), &self.key, plain)).await?;
        let sealed = Uint8Array::new(&sealed);
        let mut out = Vec::with_capacity(MAGIC.len() + IV_LEN + sealed.length() as usize);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&iv);
        out.extend_from_slice(&sealed.to_vec());
        Ok(out)
    }

    /// A stored value in the clear: decrypted if sealed, as it is if it predates the vault.
    pub async fn open(&self, stored: &[u8]) -> Result<Vec<u8>, VaultError> {
        let Some(rest) = stored.strip_prefix(MAGIC.as_slice()) else {
            return Ok(stored.to_vec());
        };
        if rest.len() < IV_LEN {
            return Err(VaultError::Crypto("a stored value is cut short".into()));
        }
        let (iv, ciphertext) = rest.split_at(IV_LEN);
        let plain =
            resolve(subtle()?.decrypt_with_object_and_u8_array(&aes_gcm(iv), &self.key, ciphertext)).await?;
        Ok(Uint8Array::new(&plain).to_vec())
    }

    /// A text sealed for keeping in `localStorage` (hex).
    pub async fn seal_text(&self, plain: &str) -> Result<String, VaultError> {
        Ok(hex(&self.seal(plain.as_bytes()).await?))
    }

    /// A text sealed by [`Self::seal_text`], in the clear.
    pub async fn open_text(&self, sealed: &str) -> Result<String, VaultError> {
        let bytes = unhex(sealed).ok_or_else(|| VaultError::Crypto("a sealed text is damaged".into()))?;
        String::from_utf8(self.open(&bytes).await?).map_err(|e| VaultError::Crypto(e.to_string()))
    }
}

/// Whether a stored value is sealed (values written before the vault are not).
pub fn is_sealed(stored: &[u8]) -> bool {
    stored.starts_with(MAGIC)
}
