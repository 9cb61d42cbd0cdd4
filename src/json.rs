//! Proto3 JSON for flyteidl messages, through prost-reflect and the embedded descriptors.
//!
//! What this prints equals, as a JSON value, what Python's `json_format.MessageToJson` prints
//! (Struct nulls, `…Z` timestamps, int64 as strings, enum names). Keys come out sorted, because
//! prost maps are hash maps and a stable order makes diffs and snapshots readable.

use std::sync::LazyLock;

use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions, Value,
};

use crate::pb;

pub static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET).expect("build.rs embeds a valid descriptor set")
});

pub fn descriptor<T: prost::Name>() -> MessageDescriptor {
    POOL.get_message_by_name(&T::full_name())
        .unwrap_or_else(|| panic!("{} is compiled into the descriptor set", T::full_name()))
}

/// Decodes a message from a JSON value (camelCase or original field names). Unknown fields are
/// an error: silently dropping part of a user's template is worse than refusing it.
pub fn from_value<T: prost::Message + prost::Name + Default>(
    v: &serde_json::Value,
) -> Result<T, String> {
    let opts = DeserializeOptions::new().deny_unknown_fields(true);
    let msg = DynamicMessage::deserialize_with_options(descriptor::<T>(), v, &opts)
        .map_err(|e| e.to_string())?;
    msg.transcode_to::<T>().map_err(|e| e.to_string())
}

/// A message as a JSON value with sorted keys.
pub fn to_value<T: prost::Message + prost::Name>(m: &T) -> serde_json::Value {
    let mut dm = DynamicMessage::new(descriptor::<T>());
    dm.transcode_from(m)
        .expect("a generated message transcodes to its own descriptor");
    dynamic_to_value(&dm)
}

pub fn dynamic_to_value(dm: &DynamicMessage) -> serde_json::Value {
    dm.serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .expect("serializing to serde_json::Value cannot fail")
}

/// Pretty JSON with sorted keys and a trailing newline.
pub fn to_string_pretty<T: prost::Message + prost::Name>(m: &T) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(m)).expect("a Value always serializes");
    s.push('\n');
    s
}

/// Decodes binary protobuf as `T`, accepting it only when every byte is understood: no unknown
/// fields anywhere. That is how the template loader tells a `TaskSpec` from a `TaskTemplate`.
pub fn decode_exact<T: prost::Message + prost::Name + Default>(bytes: &[u8]) -> Option<T> {
    let dm = DynamicMessage::decode(descriptor::<T>(), bytes).ok()?;
    if has_unknown_fields(&dm) {
        return None;
    }
    dm.transcode_to::<T>().ok()
}

fn has_unknown_fields(dm: &DynamicMessage) -> bool {
    if dm.unknown_fields().next().is_some() {
        return true;
    }
    dm.fields().any(|(_, v)| value_has_unknown(v))
}

fn value_has_unknown(v: &Value) -> bool {
    match v {
        Value::Message(m) => has_unknown_fields(m),
        Value::List(items) => items.iter().any(value_has_unknown),
        Value::Map(map) => map.values().any(value_has_unknown),
        _ => false,
    }
}
