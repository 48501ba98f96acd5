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
