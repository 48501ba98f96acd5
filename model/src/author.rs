//! Who made a change. Every change the model commits carries a [`ChangeNote`] as its message, so
//! the document's own change history says who changed which record and field, and when.

use serde::{Deserialize, Serialize};

use crate::ids::RecordId;
use crate::record::Collection;

/// An account on one device. A person may use several devices; each has its own id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Author {
    pub account: String,
    pub device: String,
}

impl Author {
    pub fn new(account: impl Into<String>, device: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            device: device.into(),
        }
    }

    /// The device as a person recognises it: the name chosen at login ("HP Bu Sri"), else its id.
    pub fn device_name(&self) -> String {
        device_name(&self.device)
    }
}

/// A device id carrying the name a person gave the device: `HP_Bu_Sri.0e49ab12cd34` for "HP Bu
/// Sri", followed by a random part so that two devices with one name stay two devices. Device
/// ids allow only ASCII letters, digits, `.`, `_` and `-`: other characters become `_`.
pub fn named_device_id(name: &str, random: &str) -> String {
    let slug: String = name
        .trim()
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if slug.trim_matches('_').is_empty() {
        format!("web-{random}")
    } else {
        format!("{slug}.{random}")
    }
}

/// The name in a device id made by [`named_device_id`]; the id itself otherwise.
pub fn device_name(device: &str) -> String {
    match device.rsplit_once('.') {
        Some((name, _)) if !name.is_empty() => name
            .replace('_', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => device.to_owned(),
    }
}

#[cfg(test)]
mod device_tests {
    use super::*;

    #[test]
    fn a_named_device_reads_back_its_name_and_stays_a_valid_unique_id() {
        let id = named_device_id(" HP Bu Sri ", "0e49ab12cd34");
        assert_eq!(id, "HP_Bu_Sri.0e49ab12cd34");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        );
        assert_eq!(device_name(&id), "HP Bu Sri");
        assert_eq!(
            Author::new("desa-x", "web-0e49ab12cd34").device_name(),
            "web-0e49ab12cd34"
        );
        assert_eq!(named_device_id("  ", "0e49"), "web-0e49");
        assert_eq!(
            device_name(&named_device_id("Ponsel Pak Dwi (lama)", "ab")),
            "Ponsel Pak Dwi lama"
        );
    }
}

/// What one change did to one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordEdit {
    #[serde(rename = "c")]
    pub collection: Collection,
    pub id: RecordId,
    #[serde(rename = "op")]
    pub action: EditAction,
    #[serde(rename = "f", default)]
    pub fields: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditAction {
    Create,
    Update,
    Delete,
    Restore,
    /// A person chose one of several concurrent values of a field.
    Resolve,
}

/// The message of every change the model commits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeNote {
    pub by: Author,
    #[serde(default)]
    pub edits: Vec<RecordEdit>,
    /// Where the values came from when not typed (an imported file's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl ChangeNote {
    pub fn to_message(&self) -> String {
        serde_json::to_string(self).expect("a change note serialises")
    }

    /// Reads a change message; `None` for changes not written by this model (genesis, other
    /// clients) or with a damaged message.
    pub fn from_message(message: &str) -> Option<Self> {
        serde_json::from_str(message).ok()
    }
}
