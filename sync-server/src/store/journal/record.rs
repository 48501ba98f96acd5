//! One journal record: `length (u32 LE) · CRC-32 of the body (u32 LE) · body`; the body is
//! the operation (1 put, 2 delete), the key's parts (a count, then each as a u16 LE length and
//! its bytes) and, for a put, the data.

use std::sync::Arc;

use super::{Key, Slot};

const PUT: u8 = 1;
const DELETE: u8 = 2;
/// A record larger than this is not one the store wrote (the relay caps a document's size far
/// below it): reading stops there.
const MAX_RECORD: usize = 1 << 30;

pub(super) fn encode(key: &[String], slot: &Slot, out: &mut Vec<u8>) {
    // Written in place (a snapshot can be megabytes): the length and checksum go in front once
    // the body is there.
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    out.push(match slot {
        Slot::Put(_) => PUT,
        Slot::Deleted => DELETE,
    });
    out.push(u8::try_from(key.len()).expect("a key has few parts"));
    for part in key {
        let len = u16::try_from(part.len()).expect("a key part is short");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    if let Slot::Put(data) = slot {
        out.extend_from_slice(data);
    }
    let body = &out[start + 8..];
    let len = u32::try_from(body.len()).expect("a record under 4 GiB");
    let crc = crc32fast::hash(body);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// The record at `at`, and where the next starts; `None` at the end or at a torn or damaged
/// record.
pub(super) fn decode(bytes: &[u8], at: usize) -> Option<(Key, Slot, usize)> {
    let u32_at =
        |i: usize| -> Option<u32> { Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?)) };
    let len = usize::try_from(u32_at(at)?).ok()?;
    let crc = u32_at(at + 4)?;
    if len > MAX_RECORD {
        return None;
    }
    let body = bytes.get(at + 8..at + 8 + len)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    let op = *body.first()?;
    let parts = usize::from(*body.get(1)?);
    let mut i = 2;
    let mut key = Vec::with_capacity(parts);
    for _ in 0..parts {
        let n = usize::from(u16::from_le_bytes(body.get(i..i + 2)?.try_into().ok()?));
        key.push(String::from_utf8(body.get(i + 2..i + 2 + n)?.to_vec()).ok()?);
        i += 2 + n;
    }
    let slot = match op {
        PUT => Slot::Put(Arc::new(body[i..].to_vec())),
        DELETE if i == body.len() => Slot::Deleted,
        _ => return None,
    };
    Some((key, slot, at + 8 + len))
}
