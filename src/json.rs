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
    let desc = descriptor::<T>();
    let msg = deserialize(&desc, v).map_err(|e| match culprit(&desc, v) {
        // the library's message names no field; say which one
        Some(path) if !e.contains(&path) => format!("{path}: {e}"),
        _ => e,
    })?;
    msg.transcode_to::<T>().map_err(|e| e.to_string())
}

fn deserialize(desc: &MessageDescriptor, v: &serde_json::Value) -> Result<DynamicMessage, String> {
    let opts = DeserializeOptions::new().deny_unknown_fields(true);
    DynamicMessage::deserialize_with_options(desc.clone(), v, &opts).map_err(|e| e.to_string())
}

/// The path of the field a JSON document fails at (`metadata.retries.retries`), found by
/// reading each field alone and descending into the one that fails.
fn culprit(desc: &MessageDescriptor, v: &serde_json::Value) -> Option<String> {
    let obj = v.as_object()?;
    for (key, value) in obj {
        let alone = serde_json::Value::Object([(key.clone(), value.clone())].into_iter().collect());
        if deserialize(desc, &alone).is_ok() {
            continue;
        }
        let field = desc
            .fields()
            .find(|f| f.json_name() == key || f.name() == key);
        let inner = field.as_ref().and_then(|f| match f.kind() {
            prost_reflect::Kind::Message(m) if f.is_map() => {
                let values = m.map_entry_value_field();
                let vm = values.kind().as_message().cloned()?;
                value
                    .as_object()?
                    .iter()
                    .find_map(|(k, x)| culprit(&vm, x).map(|p| format!("{k:?}.{p}")))
            }
            prost_reflect::Kind::Message(m) if f.is_list() => value
                .as_array()?
                .iter()
                .enumerate()
                .find_map(|(i, x)| culprit(&m, x).map(|p| format!("[{i}].{p}"))),
            prost_reflect::Kind::Message(m) => culprit(&m, value).map(|p| format!(".{p}")),
            _ => None,
        });
        return Some(format!("{key}{}", inner.unwrap_or_default()));
    }
    None
}

/// A message as a JSON value with sorted keys. What proto3 JSON cannot write (a timestamp past
/// year 9999, a duration past ±10,000 years, Inf or NaN in a Struct) never panics: the value
/// is `{"error": …}` saying why, so a document that holds it is still printed.
pub fn to_value<T: prost::Message + prost::Name>(m: &T) -> serde_json::Value {
    let mut dm = DynamicMessage::new(descriptor::<T>());
    match dm.transcode_from(m) {
        Ok(()) => dynamic_to_value(&dm),
        Err(e) => unrenderable(&e),
    }
}

pub fn dynamic_to_value(dm: &DynamicMessage) -> serde_json::Value {
    dm.serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .unwrap_or_else(|e| unrenderable(&e))
}

fn unrenderable(e: &dyn std::fmt::Display) -> serde_json::Value {
    serde_json::json!({ "error": format!("cannot be written as proto3 JSON: {e}") })
}

/// Pretty JSON with sorted keys and a trailing newline.
pub fn to_string_pretty<T: prost::Message + prost::Name>(m: &T) -> String {
    let v = to_value(m);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::core;

    /// A tiny deterministic generator: no dependency, the same cases every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }

    #[test]
    fn any_literal_value_renders_without_panicking() {
        let seconds = [
            0,
            -1,
            1,
            i64::MAX,
            i64::MIN,
            253_402_300_800,
            -62_135_596_801,
            315_576_000_001,
        ];
        let nanos = [0, -1, 999_999_999, i32::MAX, i32::MIN];
        let floats = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            1e308,
            f64::MIN_POSITIVE,
        ];
        let mut rng = Rng(0x5eed);
        for _ in 0..2000 {
            use core::{literal, primitive, scalar};
            let prim = match rng.next() % 3 {
                0 => primitive::Value::Datetime(prost_types::Timestamp {
                    seconds: rng.pick(&seconds),
                    nanos: rng.pick(&nanos),
                }),
                1 => primitive::Value::Duration(prost_types::Duration {
                    seconds: rng.pick(&seconds),
                    nanos: rng.pick(&nanos),
                }),
                _ => primitive::Value::FloatValue(rng.pick(&floats)),
            };
            let lit = core::Literal {
                value: Some(literal::Value::Scalar(Box::new(core::Scalar {
                    value: Some(scalar::Value::Primitive(core::Primitive {
                        value: Some(prim),
                    })),
                }))),
                ..Default::default()
            };
            let mut s = prost_types::Struct::default();
            s.fields.insert(
                "x".into(),
                prost_types::Value {
                    kind: Some(prost_types::value::Kind::NumberValue(rng.pick(&floats))),
                },
            );
            let mut map = core::LiteralMap::default();
            map.literals.insert("v".into(), lit.clone());
            let _ = to_string_pretty(&map);
            let _ = to_value(&crate::pb::admin::Resource {
                custom_info: Some(s.clone()),
                ..Default::default()
            });
            let _ = crate::literal::display(&lit);
            let _ = crate::literal::to_plain_json(&lit);
            let _ = crate::literal::struct_to_json(&s);
            let t = core::TaskTemplate {
                metadata: Some(core::TaskMetadata {
                    timeout: Some(prost_types::Duration {
                        seconds: rng.pick(&seconds),
                        nanos: rng.pick(&nanos),
                    }),
                    ..Default::default()
                }),
                custom: Some(s),
                ..Default::default()
            };
            let _ = to_string_pretty(&t);
        }
    }

    #[test]
    fn an_out_of_range_timestamp_is_an_error_field_not_a_panic() {
        let mut map = core::LiteralMap::default();
        map.literals.insert(
            "t".into(),
            crate::literal::parse_str(
                "2024-01-01",
                &core::LiteralType {
                    r#type: Some(core::literal_type::Type::Simple(
                        core::SimpleType::Datetime as i32,
                    )),
                    ..Default::default()
                },
            )
            .unwrap(),
        );
        if let Some(core::literal::Value::Scalar(sc)) =
            &mut map.literals.get_mut("t").unwrap().value
            && let Some(core::scalar::Value::Primitive(p)) = &mut sc.value
        {
            p.value = Some(core::primitive::Value::Datetime(prost_types::Timestamp {
                seconds: i64::MAX,
                nanos: 0,
            }));
        }
        let v = to_value(&map);
        assert!(
            v["error"]
                .as_str()
                .is_some_and(|e| e.contains("proto3 JSON")),
            "{v}"
        );
    }
}
