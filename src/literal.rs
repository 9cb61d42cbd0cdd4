//! Flyte literals and literal types: readable type names, values from command-line strings and
//! from JSON/YAML values (following `pyflyte run`, reference §4.7), and literals back to plain
//! JSON for output.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use prost_types::{Duration, Timestamp};

use crate::pb::core::{
    self, Literal, LiteralCollection, LiteralMap, LiteralType, Primitive, Scalar, SimpleType,
    blob_type::BlobDimensionality, literal, literal_type, primitive, scalar,
};

/// Why a value did not convert: what was expected and an example that would work.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError {
    pub expected: String,
    pub example: String,
    pub detail: Option<String>,
}

impl ValueError {
    fn new(ty: &LiteralType, detail: impl Into<Option<String>>) -> Self {
        ValueError {
            expected: type_name(ty),
            example: example(ty),
            detail: detail.into(),
        }
    }
}

/// Whether a literal (from a LiteralMap file) is a value of `ty`: `None` when it is, else what
/// is wrong. Lenient where Flyte is (an integer for a float, anything for an untyped or
/// unknown type), strict where a server would fail later (a string for an integer).
pub fn mismatch(lit: &Literal, ty: &LiteralType) -> Option<String> {
    use literal_type::Type as T;
    let got = || describe_value(lit);
    let want = || type_name(ty);
    if let Some(variants) = union_variants(ty) {
        let inner = match &lit.value {
            Some(literal::Value::Scalar(sc)) => match &sc.value {
                Some(scalar::Value::Union(u)) => u.value.as_deref(),
                _ => Some(lit),
            },
            _ => Some(lit),
        };
        return match inner {
            Some(v) if variants.iter().any(|t| mismatch(v, t).is_none()) => None,
            None => None,
            Some(_) => Some(format!("{} is not a {}", got(), want())),
        };
    }
    match (&ty.r#type, &lit.value) {
        (Some(T::CollectionType(inner)), Some(literal::Value::Collection(c))) => {
            c.literals.iter().find_map(|l| mismatch(l, inner))
        }
        (Some(T::MapValueType(inner)), Some(literal::Value::Map(m))) => {
            m.literals.values().find_map(|l| mismatch(l, inner))
        }
        (Some(T::CollectionType(_)), _) | (Some(T::MapValueType(_)), _) => {
            Some(format!("{} is not a {}", got(), want()))
        }
        (Some(T::Simple(_)), Some(literal::Value::Scalar(sc))) => {
            let want_simple = simple(ty)?;
            let ok = match (&sc.value, want_simple) {
                (Some(scalar::Value::Primitive(p)), st) => matches!(
                    (&p.value, st),
                    (
                        Some(primitive::Value::Integer(_)),
                        SimpleType::Integer | SimpleType::Float
                    ) | (Some(primitive::Value::FloatValue(_)), SimpleType::Float)
                        | (Some(primitive::Value::StringValue(_)), SimpleType::String)
                        | (Some(primitive::Value::Boolean(_)), SimpleType::Boolean)
                        | (Some(primitive::Value::Datetime(_)), SimpleType::Datetime)
                        | (Some(primitive::Value::Duration(_)), SimpleType::Duration)
                ),
                (Some(scalar::Value::NoneType(_)), SimpleType::None) => true,
                (Some(scalar::Value::Generic(_)), SimpleType::Struct) => true,
                (Some(scalar::Value::Binary(_)), SimpleType::Struct | SimpleType::Binary) => true,
                (Some(scalar::Value::Error(_)), SimpleType::Error) => true,
                _ => false,
            };
            (!ok).then(|| format!("{} is not a {}", got(), want()))
        }
        (Some(T::Simple(_)), _) => Some(format!("{} is not a {}", got(), want())),
        // blobs, schemas, datasets, enums: their shape is the server's to judge
        _ => None,
    }
}

fn describe_value(lit: &Literal) -> String {
    match &lit.value {
        Some(literal::Value::Scalar(sc)) => match &sc.value {
            Some(scalar::Value::Primitive(p)) => match &p.value {
                Some(primitive::Value::Integer(i)) => format!("the integer {i}"),
                Some(primitive::Value::FloatValue(f)) => format!("the float {f}"),
                Some(primitive::Value::StringValue(s)) => format!("the string {s:?}"),
                Some(primitive::Value::Boolean(b)) => format!("the boolean {b}"),
                Some(primitive::Value::Datetime(_)) => "a datetime".into(),
                Some(primitive::Value::Duration(_)) => "a duration".into(),
                None => "an empty primitive".into(),
            },
            Some(scalar::Value::NoneType(_)) => "none".into(),
            Some(scalar::Value::Blob(_)) => "a file or directory".into(),
            Some(scalar::Value::Generic(_)) => "a struct".into(),
            Some(scalar::Value::Binary(_)) => "binary data".into(),
            _ => "a scalar of another kind".into(),
        },
        Some(literal::Value::Collection(_)) => "a list".into(),
        Some(literal::Value::Map(_)) => "a map".into(),
        _ => "an empty literal".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Type names

fn simple(ty: &LiteralType) -> Option<SimpleType> {
    match ty.r#type {
        Some(literal_type::Type::Simple(s)) => SimpleType::try_from(s).ok(),
        _ => None,
    }
}

/// Whether a STRUCT type asks for msgpack (`Binary` tagged `msgpack`), as flytekit ≥ 1.14 writes
/// for dataclasses: the annotation `cache-key-metadata.serialization-format = msgpack`.
pub fn wants_msgpack(ty: &LiteralType) -> bool {
    let Some(ann) = ty.annotation.as_ref().and_then(|a| a.annotations.as_ref()) else {
        return false;
    };
    let Some(ckm) = ann.fields.get("cache-key-metadata") else {
        return false;
    };
    let Some(prost_types::value::Kind::StructValue(s)) = &ckm.kind else {
        return false;
    };
    matches!(
        s.fields.get("serialization-format").and_then(|v| v.kind.as_ref()),
        Some(prost_types::value::Kind::StringValue(f)) if f == "msgpack"
    )
}

fn union_variants(ty: &LiteralType) -> Option<&[LiteralType]> {
    match &ty.r#type {
        Some(literal_type::Type::UnionType(u)) => Some(&u.variants),
        _ => None,
    }
}

fn is_none_type(ty: &LiteralType) -> bool {
    simple(ty) == Some(SimpleType::None)
}

/// The NONE variant of an `Optional[T]`, if the type is one.
pub fn optional_none_variant(ty: &LiteralType) -> Option<&LiteralType> {
    union_variants(ty)?.iter().find(|v| is_none_type(v))
}

pub fn is_boolean(ty: &LiteralType) -> bool {
    simple(ty) == Some(SimpleType::Boolean)
}

/// A short readable name: `integer`, `list<string>`, `enum(red|green)`, `optional<integer>`, …
pub fn type_name(ty: &LiteralType) -> String {
    use literal_type::Type as T;
    match &ty.r#type {
        Some(T::Simple(_)) => match simple(ty) {
            Some(SimpleType::None) => "none".into(),
            Some(SimpleType::Integer) => "integer".into(),
            Some(SimpleType::Float) => "float".into(),
            Some(SimpleType::String) => "string".into(),
            Some(SimpleType::Boolean) => "boolean".into(),
            Some(SimpleType::Datetime) => "datetime".into(),
            Some(SimpleType::Duration) => "duration".into(),
            Some(SimpleType::Binary) => "binary".into(),
            Some(SimpleType::Error) => "error".into(),
            Some(SimpleType::Struct)
                if ty
                    .structure
                    .as_ref()
                    .is_some_and(|s| !s.dataclass_type.is_empty()) =>
            {
                "dataclass".into()
            }
            Some(SimpleType::Struct) => "struct".into(),
            None => "unknown".into(),
        },
        Some(T::Schema(_)) => "schema".into(),
        Some(T::CollectionType(inner)) => format!("list<{}>", type_name(inner)),
        Some(T::MapValueType(inner)) => format!("map<string, {}>", type_name(inner)),
        Some(T::Blob(b)) => {
            let base = if b.dimensionality == BlobDimensionality::Multipart as i32 {
                "directory"
            } else {
                "file"
            };
            if b.format.is_empty() {
                base.into()
            } else {
                format!("{base}({})", b.format)
            }
        }
        Some(T::EnumType(e)) => format!("enum({})", e.values.join("|")),
        Some(T::StructuredDatasetType(sd)) => {
            if sd.format.is_empty() {
                "structured dataset".into()
            } else {
                format!("structured dataset({})", sd.format)
            }
        }
        Some(T::UnionType(u)) => {
            let rest: Vec<_> = u.variants.iter().filter(|v| !is_none_type(v)).collect();
            if rest.len() + 1 == u.variants.len() && rest.len() == 1 {
                format!("optional<{}>", type_name(rest[0]))
            } else {
                format!(
                    "union<{}>",
                    u.variants
                        .iter()
                        .map(type_name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        None => "unknown".into(),
    }
}

/// The value-name shown in `--help` (`--version <INTEGER>`).
pub fn value_name(ty: &LiteralType) -> String {
    use literal_type::Type as T;
    match &ty.r#type {
        Some(T::CollectionType(_)) => "JSON_LIST".into(),
        Some(T::MapValueType(_)) => "JSON_OBJECT".into(),
        Some(T::Blob(b)) if b.dimensionality == BlobDimensionality::Multipart as i32 => {
            "DIR".into()
        }
        Some(T::Blob(_)) => "FILE".into(),
        Some(T::StructuredDatasetType(_)) => "URI".into(),
        Some(T::EnumType(_)) => "VALUE".into(),
        Some(T::UnionType(_)) => "VALUE".into(),
        Some(T::Simple(_)) if simple(ty) == Some(SimpleType::Struct) => "JSON".into(),
        _ => type_name(ty).to_uppercase(),
    }
}

/// An accepted example for an error message.
pub fn example(ty: &LiteralType) -> String {
    use literal_type::Type as T;
    match &ty.r#type {
        Some(T::Simple(_)) => match simple(ty) {
            Some(SimpleType::Integer) => "10".into(),
            Some(SimpleType::Float) => "1.5".into(),
            Some(SimpleType::String) => "hello".into(),
            Some(SimpleType::Boolean) => "true".into(),
            Some(SimpleType::Datetime) => {
                "2024-01-02T03:04:05 (or 2024-01-02, now, today - 1 day)".into()
            }
            Some(SimpleType::Duration) => "90s (or 1h30m, 1.5s, 01:02:03)".into(),
            Some(SimpleType::Struct) => format!("'{}'", json_example(ty)),
            _ => "(no command-line form; use --inputs with a LiteralMap)".into(),
        },
        Some(T::CollectionType(_)) | Some(T::MapValueType(_)) => {
            format!("'{}'", json_example(ty))
        }
        Some(T::Blob(b)) if b.dimensionality == BlobDimensionality::Multipart as i32 => {
            "s3://bucket/prefix/ (or an existing local directory)".into()
        }
        Some(T::Blob(_)) => "s3://bucket/key.csv (or an existing local file)".into(),
        Some(T::StructuredDatasetType(_)) => {
            "s3://bucket/dataset (or bq://project:dataset.table)".into()
        }
        Some(T::EnumType(e)) => e.values.first().cloned().unwrap_or_default(),
        Some(T::UnionType(u)) => u
            .variants
            .iter()
            .find(|v| !is_none_type(v))
            .map(example)
            .unwrap_or_default(),
        _ => "(no command-line form; use --inputs with a LiteralMap)".into(),
    }
}

/// A value of `ty` as JSON that [`from_json`] takes, for examples: nested lists, maps and
/// dataclasses (their declared fields) included.
fn json_example(ty: &LiteralType) -> String {
    json_example_value(ty).to_string()
}

fn json_example_value(ty: &LiteralType) -> serde_json::Value {
    use literal_type::Type as T;
    use serde_json::json;
    match &ty.r#type {
        Some(T::Simple(_)) => match simple(ty) {
            Some(SimpleType::Integer) => json!(1),
            Some(SimpleType::Float) => json!(1.5),
            Some(SimpleType::Boolean) => json!(true),
            Some(SimpleType::Datetime) => json!("2024-01-02T03:04:05"),
            Some(SimpleType::Duration) => json!("90s"),
            Some(SimpleType::None) => serde_json::Value::Null,
            Some(SimpleType::Struct) => {
                let fields = ty.structure.as_ref().map(|s| &s.dataclass_type);
                match fields.filter(|f| !f.is_empty()) {
                    Some(f) => f
                        .iter()
                        .map(|(k, t)| (k.clone(), json_example_value(t)))
                        .collect::<serde_json::Map<_, _>>()
                        .into(),
                    None => json!({"a": 1}),
                }
            }
            _ => json!("hello"),
        },
        Some(T::CollectionType(inner)) => json!([json_example_value(inner)]),
        Some(T::MapValueType(inner)) => json!({"key": json_example_value(inner)}),
        Some(T::EnumType(e)) => json!(e.values.first().cloned().unwrap_or_default()),
        Some(T::Blob(b)) if b.dimensionality == BlobDimensionality::Multipart as i32 => {
            json!("s3://bucket/prefix/")
        }
        Some(T::Blob(_)) => json!("s3://bucket/key.csv"),
        Some(T::StructuredDatasetType(_)) => json!("s3://bucket/dataset"),
        Some(T::UnionType(u)) => u
            .variants
            .iter()
            .find(|v| !is_none_type(v))
            .map(json_example_value)
            .unwrap_or(serde_json::Value::Null),
        _ => json!("hello"),
    }
}

// ---------------------------------------------------------------------------------------------
// Constructors

fn prim(p: primitive::Value) -> Literal {
    scalar_lit(scalar::Value::Primitive(Primitive { value: Some(p) }))
}

fn scalar_lit(v: scalar::Value) -> Literal {
    Literal {
        value: Some(literal::Value::Scalar(Box::new(Scalar { value: Some(v) }))),
        ..Default::default()
    }
}

/// The literal `pyflyte run` gives an `Optional[T]` that is left out or `None`.
pub fn none_union(none_variant: &LiteralType) -> Literal {
    let none = scalar_lit(scalar::Value::NoneType(core::Void {}));
    scalar_lit(scalar::Value::Union(Box::new(core::Union {
        value: Some(Box::new(none)),
        r#type: Some(none_variant.clone()),
    })))
}

pub fn boolean(b: bool) -> Literal {
    prim(primitive::Value::Boolean(b))
}

// ---------------------------------------------------------------------------------------------
// From a command-line string

/// Converts a command-line string to a literal of `ty`, as `pyflyte run` does.
pub fn parse_str(s: &str, ty: &LiteralType) -> Result<Literal, ValueError> {
    use literal_type::Type as T;
    let err = |d: Option<String>| ValueError::new(ty, d);
    match &ty.r#type {
        Some(T::Simple(_)) => match simple(ty) {
            Some(SimpleType::Integer) => parse_int(s)
                .map(|i| prim(primitive::Value::Integer(i)))
                .ok_or_else(|| err(None)),
            Some(SimpleType::Float) => parse_float(s)
                .map(|f| prim(primitive::Value::FloatValue(f)))
                .ok_or_else(|| err(None)),
            Some(SimpleType::String) => Ok(prim(primitive::Value::StringValue(s.to_string()))),
            Some(SimpleType::Boolean) => parse_bool(s).map(boolean).ok_or_else(|| err(None)),
            Some(SimpleType::Datetime) => parse_datetime(s, Utc::now())
                .map(|t| prim(primitive::Value::Datetime(t)))
                .map_err(&err),
            Some(SimpleType::Duration) => parse_duration(s)
                .map(|d| prim(primitive::Value::Duration(d)))
                .ok_or_else(|| err(None)),
            Some(SimpleType::Struct) => {
                let v = json_arg(s).map_err(|d| err(Some(d)))?;
                from_json(&v, ty)
            }
            _ => Err(err(Some("this type has no command-line form".into()))),
        },
        Some(T::CollectionType(_)) | Some(T::MapValueType(_)) => {
            let v = json_arg(s).map_err(|d| err(Some(d)))?;
            from_json(&v, ty)
        }
        Some(T::EnumType(e)) => {
            if e.values.iter().any(|v| v == s) {
                Ok(prim(primitive::Value::StringValue(s.to_string())))
            } else {
                Err(err(Some(format!(
                    "allowed values: {}",
                    e.values.join(", ")
                ))))
            }
        }
        Some(T::Blob(b)) => blob(s, b).map_err(|d| err(Some(d))),
        Some(T::StructuredDatasetType(sd)) => Ok(structured_dataset(s, sd)),
        Some(T::UnionType(u)) => parse_union(s, ty, &u.variants),
        Some(T::Schema(_)) | None => Err(err(Some("this type has no command-line form".into()))),
    }
}

/// pyflyte's union parser: every non-string variant first, then strings, in declared order.
fn parse_union(s: &str, ty: &LiteralType, variants: &[LiteralType]) -> Result<Literal, ValueError> {
    let is_string = |v: &LiteralType| simple(v) == Some(SimpleType::String);
    let ordered = variants
        .iter()
        .filter(|v| !is_string(v) && !is_none_type(v))
        .chain(variants.iter().filter(|v| is_string(v)));
    for variant in ordered {
        if let Ok(lit) = parse_str(s, variant) {
            return Ok(wrap_union(lit, variant));
        }
    }
    if (s == "None" || s == "null")
        && let Some(none) = variants.iter().find(|v| is_none_type(v))
    {
        return Ok(none_union(none));
    }
    Err(ValueError::new(
        ty,
        Some("no variant of the union accepts it".into()),
    ))
}

fn wrap_union(lit: Literal, variant: &LiteralType) -> Literal {
    scalar_lit(scalar::Value::Union(Box::new(core::Union {
        value: Some(Box::new(lit)),
        r#type: Some(variant.clone()),
    })))
}

/// A JSON argument, or (as pyflyte's JsonParamType) a path to a `.json`/`.yaml`/`.yml` file.
fn json_arg(s: &str) -> Result<serde_json::Value, String> {
    let lower = s.to_ascii_lowercase();
    if (lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml"))
        && std::path::Path::new(s).is_file()
    {
        let text = std::fs::read_to_string(s).map_err(|e| format!("cannot read {s}: {e}"))?;
        return if lower.ends_with(".json") {
            serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{s}: malformed JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                )
            })
        } else {
            serde_saphyr::from_str(&text).map_err(|e| format!("{s}: malformed YAML: {e}"))
        };
    }
    serde_json::from_str(s).map_err(|e| format!("malformed JSON at column {}: {e}", e.column()))
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    t.replace('_', "").parse().ok()
}

fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => t.parse().ok(),
    }
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "on" => Some(true),
        "false" | "f" | "0" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

fn timestamp(dt: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: dt.timestamp(),
        nanos: dt.timestamp_subsec_nanos() as i32,
    }
}

/// pyflyte's datetime forms (`%Y-%m-%d`, `%Y-%m-%dT%H:%M:%S`, `%Y-%m-%d %H:%M:%S`, `now`,
/// `today`, `<one of these> ± <duration>`, ISO with a space) plus full RFC 3339. A naive value
/// means UTC.
pub fn parse_datetime(s: &str, now: DateTime<Utc>) -> Result<Timestamp, Option<String>> {
    let s = s.trim();
    if let Some((base, sign, delta)) = split_offset(s) {
        let base = parse_datetime_base(base, now).ok_or(None)?;
        let nanos =
            duration_nanos(delta).ok_or_else(|| Some(format!("{delta:?} is not a duration")))?;
        let out_of_range = || {
            Some(format!(
                "{s:?} is outside the years 1 to 9999 a datetime can hold"
            ))
        };
        let delta = i64::try_from(nanos)
            .ok()
            .map(chrono::TimeDelta::nanoseconds)
            .ok_or_else(out_of_range)?;
        let dt = if sign == '+' {
            base.checked_add_signed(delta)
        } else {
            base.checked_sub_signed(delta)
        }
        .ok_or_else(out_of_range)?;
        return in_range(dt).map(timestamp).ok_or_else(out_of_range);
    }
    let dt = parse_datetime_base(s, now).ok_or(None)?;
    in_range(dt).map(timestamp).ok_or_else(|| {
        Some(format!(
            "{s:?} is outside the years 1 to 9999 a datetime can hold"
        ))
    })
}

/// A protobuf Timestamp holds 0001-01-01 to 9999-12-31 (proto3 JSON cannot write others).
fn in_range(dt: DateTime<Utc>) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    (1..=9999).contains(&dt.year()).then_some(dt)
}

fn split_offset(s: &str) -> Option<(&str, char, &str)> {
    for sign in [" + ", " - "] {
        if let Some(i) = s.find(sign) {
            return Some((
                s[..i].trim(),
                sign.trim().chars().next().unwrap(),
                s[i + 3..].trim(),
            ));
        }
    }
    None
}

fn parse_datetime_base(s: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match s.to_ascii_lowercase().as_str() {
        "now" => return Some(now),
        "today" => return Some(Utc.from_utc_datetime(&now.date_naive().and_hms_opt(0, 0, 0)?)),
        _ => {}
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&dt));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Utc.from_utc_datetime(&d))
}

/// The largest `google.protobuf.Duration`, in seconds.
const MAX_DURATION_SECONDS: i64 = 315_576_000_000;

/// pytimeparse's forms as `pyflyte run` accepts them — `90s`, `1h30m`, `1.5s`, `1 minute`,
/// `10 days`, `01:02:03`, `1:24` (mm:ss), `:22`, a leading sign — plus `ms`/`us`/`ns` units.
/// A bare number is refused, as pytimeparse refuses it.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let nanos = duration_nanos(s)?;
    // a protobuf Duration holds about ±10,000 years
    if nanos.abs() > MAX_DURATION_SECONDS as i128 * 1_000_000_000 {
        return None;
    }
    Some(Duration {
        seconds: (nanos / 1_000_000_000) as i64,
        nanos: (nanos % 1_000_000_000) as i32,
    })
}

/// A duration's length in nanoseconds, however long.
fn duration_nanos(s: &str) -> Option<i128> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t).trim_start()),
    };
    let nanos = if body.contains(':') {
        clock_nanos(body)?
    } else {
        unit_nanos(body)?
    };
    Some(if neg { -nanos } else { nanos })
}

fn clock_nanos(s: &str) -> Option<i128> {
    let parts: Vec<&str> = s.split(':').collect();
    let num = |p: &str| -> Option<f64> {
        if p.is_empty() {
            Some(0.0)
        } else {
            p.parse::<f64>().ok().filter(|v| *v >= 0.0)
        }
    };
    let secs = match parts.as_slice() {
        [m, sec] => num(m)? * 60.0 + num(sec)?,
        [h, m, sec] => num(h)? * 3600.0 + num(m)? * 60.0 + num(sec)?,
        _ => return None,
    };
    Some((secs * 1e9).round() as i128)
}

fn unit_nanos(s: &str) -> Option<i128> {
    let mut rest = s.trim();
    let mut total: i128 = 0;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = rest[..unit_len].to_ascii_lowercase();
        rest = rest[unit_len..]
            .trim_start()
            .trim_start_matches(',')
            .trim_start();
        if let Some(r) = rest.strip_prefix("and ") {
            rest = r.trim_start();
        }
        let per: f64 = match unit.as_str() {
            "w" | "wk" | "wks" | "week" | "weeks" => 604_800e9,
            "d" | "dy" | "dys" | "day" | "days" => 86_400e9,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600e9,
            "m" | "min" | "mins" | "minute" | "minutes" => 60e9,
            "s" | "sec" | "secs" | "second" | "seconds" => 1e9,
            "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1e6,
            "us" | "µs" | "microsecond" | "microseconds" => 1e3,
            "ns" | "nanosecond" | "nanoseconds" => 1.0,
            _ => return None,
        };
        total += (value * per).round() as i128;
        any = true;
    }
    any.then_some(total)
}

fn blob(s: &str, b: &core::BlobType) -> Result<Literal, String> {
    let is_uri = s.contains("://");
    if !is_uri {
        let p = std::path::Path::new(s);
        let dir = b.dimensionality == BlobDimensionality::Multipart as i32;
        if dir && !p.is_dir() {
            return Err(format!(
                "{s} is not a directory (give an existing directory or a URI)"
            ));
        }
        if !dir && !p.is_file() {
            return Err(format!(
                "{s} does not exist (give an existing file or a URI)"
            ));
        }
    }
    Ok(scalar_lit(scalar::Value::Blob(core::Blob {
        metadata: Some(core::BlobMetadata {
            r#type: Some(b.clone()),
        }),
        uri: s.to_string(),
    })))
}

fn structured_dataset(s: &str, sd: &core::StructuredDatasetType) -> Literal {
    scalar_lit(scalar::Value::StructuredDataset(core::StructuredDataset {
        uri: s.to_string(),
        metadata: Some(core::StructuredDatasetMetadata {
            structured_dataset_type: Some(sd.clone()),
        }),
    }))
}

// ---------------------------------------------------------------------------------------------
// From a JSON/YAML value

/// Converts a plain JSON value (from a list/map/struct flag or an inputs file) to a literal of `ty`.
pub fn from_json(v: &serde_json::Value, ty: &LiteralType) -> Result<Literal, ValueError> {
    use literal_type::Type as T;
    use serde_json::Value as J;
    let err = |d: Option<String>| ValueError::new(ty, d);
    match (&ty.r#type, v) {
        (Some(T::UnionType(u)), J::Null) => u
            .variants
            .iter()
            .find(|x| is_none_type(x))
            .map(none_union)
            .ok_or_else(|| err(Some("null is not allowed".into()))),
        (Some(T::UnionType(u)), _) => {
            let is_string = |x: &LiteralType| simple(x) == Some(SimpleType::String);
            let ordered = u
                .variants
                .iter()
                .filter(|x| !is_string(x) && !is_none_type(x))
                .chain(u.variants.iter().filter(|x| is_string(x)));
            for variant in ordered {
                if let Ok(lit) = from_json(v, variant) {
                    return Ok(wrap_union(lit, variant));
                }
            }
            Err(err(Some("no variant of the union accepts it".into())))
        }
        (Some(T::CollectionType(inner)), J::Array(items)) => {
            let literals = items
                .iter()
                .map(|i| from_json(i, inner))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Literal {
                value: Some(literal::Value::Collection(LiteralCollection { literals })),
                ..Default::default()
            })
        }
        (Some(T::MapValueType(inner)), J::Object(map)) => {
            let literals = map
                .iter()
                .map(|(k, x)| Ok((k.clone(), from_json(x, inner)?)))
                .collect::<Result<BTreeMap<_, _>, ValueError>>()?;
            Ok(Literal {
                value: Some(literal::Value::Map(LiteralMap { literals })),
                ..Default::default()
            })
        }
        (Some(T::Simple(_)), _) if simple(ty) == Some(SimpleType::Struct) => match v {
            J::Object(_) => struct_literal(v, ty),
            J::String(s) => {
                let parsed = json_arg(s).map_err(|d| err(Some(d)))?;
                if parsed.is_object() {
                    struct_literal(&parsed, ty)
                } else {
                    Err(err(Some("expected a JSON object".into())))
                }
            }
            _ => Err(err(Some("expected a JSON object".into()))),
        },
        (Some(T::Simple(_)), J::Number(n)) => match simple(ty) {
            Some(SimpleType::Integer) => n
                .as_i64()
                .map(|i| prim(primitive::Value::Integer(i)))
                .ok_or_else(|| err(None)),
            Some(SimpleType::Float) => n
                .as_f64()
                .map(|f| prim(primitive::Value::FloatValue(f)))
                .ok_or_else(|| err(None)),
            Some(SimpleType::String) => Ok(prim(primitive::Value::StringValue(n.to_string()))),
            _ => Err(err(None)),
        },
        (Some(T::Simple(_)), J::Bool(b)) if is_boolean(ty) => Ok(boolean(*b)),
        (_, J::String(s)) => parse_str(s, ty),
        _ => Err(err(None)),
    }
}

/// A dataclass or dict value: msgpack `Binary` when the type asks for it (flytekit ≥ 1.14),
/// else a generic `Struct`. Numbers are coerced to the dataclass's declared field types so that
/// `1` for a float field encodes as flytekit would encode `1.0`.
fn struct_literal(v: &serde_json::Value, ty: &LiteralType) -> Result<Literal, ValueError> {
    if wants_msgpack(ty) {
        let coerced = with_schema_defaults(&coerce_to_dataclass(v, ty), ty)?;
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &json_to_msgpack(&coerced))
            .expect("writing to a Vec cannot fail");
        Ok(scalar_lit(scalar::Value::Binary(core::Binary {
            value: buf,
            tag: "msgpack".into(),
        })))
    } else {
        Ok(scalar_lit(scalar::Value::Generic(json_to_struct(v))))
    }
}

/// Fills what a dataclass would fill itself: the JSON schema in the type's `metadata` says
/// which fields are required and their defaults; a field with neither is a `default_factory`
/// (a list or dict in practice). A required field left out is an error, as in flytekit.
fn with_schema_defaults(
    v: &serde_json::Value,
    ty: &LiteralType,
) -> Result<serde_json::Value, ValueError> {
    let (Some(schema), serde_json::Value::Object(given)) =
        (ty.metadata.as_ref().map(struct_to_json), v)
    else {
        return Ok(v.clone());
    };
    let Some(props) = schema.get("properties").and_then(|p| p.as_object()) else {
        return Ok(v.clone());
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !given.contains_key(*r))
        .collect();
    if !missing.is_empty() {
        return Err(ValueError::new(
            ty,
            Some(format!("missing field(s) {}", missing.join(", "))),
        ));
    }
    let mut out = given.clone();
    for (name, prop) in props {
        if out.contains_key(name) || required.contains(&name.as_str()) {
            continue;
        }
        let default = match (
            prop.get("default"),
            prop.get("type").and_then(|t| t.as_str()),
        ) {
            (Some(d), _) => d.clone(),
            (None, Some("array")) => serde_json::json!([]),
            (None, Some("object")) => serde_json::json!({}),
            _ => continue,
        };
        out.insert(name.clone(), default);
    }
    Ok(serde_json::Value::Object(out))
}

fn coerce_to_dataclass(v: &serde_json::Value, ty: &LiteralType) -> serde_json::Value {
    use serde_json::Value as J;
    let Some(fields) = ty
        .structure
        .as_ref()
        .map(|s| &s.dataclass_type)
        .filter(|f| !f.is_empty())
    else {
        return v.clone();
    };
    let J::Object(map) = v else { return v.clone() };
    let out = map
        .iter()
        .map(|(k, x)| {
            let x = match (fields.get(k), x) {
                (Some(ft), J::Number(n)) if simple(ft) == Some(SimpleType::Float) => {
                    n.as_f64().map(J::from).unwrap_or_else(|| x.clone())
                }
                (Some(ft), J::Object(_)) => coerce_to_dataclass(x, ft),
                _ => x.clone(),
            };
            (k.clone(), x)
        })
        .collect();
    J::Object(out)
}

fn json_to_msgpack(v: &serde_json::Value) -> rmpv::Value {
    use serde_json::Value as J;
    match v {
        J::Null => rmpv::Value::Nil,
        J::Bool(b) => rmpv::Value::Boolean(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => rmpv::Value::from(i),
            (None, Some(u)) => rmpv::Value::from(u),
            _ => rmpv::Value::F64(n.as_f64().unwrap_or_default()),
        },
        J::String(s) => rmpv::Value::from(s.as_str()),
        J::Array(items) => rmpv::Value::Array(items.iter().map(json_to_msgpack).collect()),
        J::Object(map) => rmpv::Value::Map(
            map.iter()
                .map(|(k, x)| (rmpv::Value::from(k.as_str()), json_to_msgpack(x)))
                .collect(),
        ),
    }
}

fn msgpack_to_json(v: &rmpv::Value) -> serde_json::Value {
    use rmpv::Value as M;
    match v {
        M::Nil => serde_json::Value::Null,
        M::Boolean(b) => (*b).into(),
        M::Integer(i) => i
            .as_i64()
            .map(Into::into)
            .or_else(|| i.as_u64().map(Into::into))
            .unwrap_or(serde_json::Value::Null),
        M::F32(f) => (*f as f64).into(),
        M::F64(f) => (*f).into(),
        M::String(s) => s.as_str().unwrap_or_default().into(),
        M::Binary(b) => base64::engine::general_purpose::STANDARD.encode(b).into(),
        M::Array(items) => items.iter().map(msgpack_to_json).collect(),
        M::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, x)| {
                    (
                        k.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| k.to_string()),
                        msgpack_to_json(x),
                    )
                })
                .collect(),
        ),
        M::Ext(_, b) => base64::engine::general_purpose::STANDARD.encode(b).into(),
    }
}

/// Decodes msgpack bytes to JSON, for printing and comparing `Binary` literals.
pub fn decode_msgpack(bytes: &[u8]) -> Option<serde_json::Value> {
    let mut cursor = bytes;
    rmpv::decode::read_value(&mut cursor)
        .ok()
        .map(|v| msgpack_to_json(&v))
}

fn json_to_struct(v: &serde_json::Value) -> prost_types::Struct {
    match json_to_proto_value(v).kind {
        Some(prost_types::value::Kind::StructValue(s)) => s,
        _ => prost_types::Struct::default(),
    }
}

fn json_to_proto_value(v: &serde_json::Value) -> prost_types::Value {
    use prost_types::value::Kind;
    use serde_json::Value as J;
    let kind = match v {
        J::Null => Kind::NullValue(0),
        J::Bool(b) => Kind::BoolValue(*b),
        J::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        J::String(s) => Kind::StringValue(s.clone()),
        J::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.iter().map(json_to_proto_value).collect(),
        }),
        J::Object(map) => Kind::StructValue(prost_types::Struct {
            fields: map
                .iter()
                .map(|(k, x)| (k.clone(), json_to_proto_value(x)))
                .collect(),
        }),
    };
    prost_types::Value { kind: Some(kind) }
}

pub fn struct_to_json(s: &prost_types::Struct) -> serde_json::Value {
    serde_json::Value::Object(
        s.fields
            .iter()
            .map(|(k, v)| (k.clone(), proto_value_to_json(v)))
            .collect(),
    )
}

fn proto_value_to_json(v: &prost_types::Value) -> serde_json::Value {
    use prost_types::value::Kind;
    match &v.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::NumberValue(n)) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Some(Kind::StringValue(s)) => s.clone().into(),
        Some(Kind::BoolValue(b)) => (*b).into(),
        Some(Kind::StructValue(s)) => struct_to_json(s),
        Some(Kind::ListValue(l)) => l.values.iter().map(proto_value_to_json).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// To plain JSON

/// A literal as a plain JSON value: numbers as numbers, datetimes as RFC 3339 strings,
/// durations as `"90s"`, blobs and datasets as their URI, msgpack decoded, unions unwrapped.
pub fn to_plain_json(lit: &Literal) -> serde_json::Value {
    use serde_json::Value as J;
    match &lit.value {
        Some(literal::Value::Scalar(s)) => scalar_to_json(s),
        Some(literal::Value::Collection(c)) => {
            J::Array(c.literals.iter().map(to_plain_json).collect())
        }
        Some(literal::Value::Map(m)) => map_to_plain_json(m),
        Some(literal::Value::OffloadedMetadata(o)) => J::String(o.uri.clone()),
        None => J::Null,
    }
}

pub fn map_to_plain_json(m: &LiteralMap) -> serde_json::Value {
    serde_json::Value::Object(
        m.literals
            .iter()
            .map(|(k, v)| (k.clone(), to_plain_json(v)))
            .collect(),
    )
}

fn scalar_to_json(s: &Scalar) -> serde_json::Value {
    use serde_json::Value as J;
    match &s.value {
        Some(scalar::Value::Primitive(p)) => match &p.value {
            Some(primitive::Value::Integer(i)) => (*i).into(),
            Some(primitive::Value::FloatValue(f)) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Some(primitive::Value::StringValue(s)) => s.clone().into(),
            Some(primitive::Value::Boolean(b)) => (*b).into(),
            Some(primitive::Value::Datetime(t)) => format_timestamp(t).into(),
            Some(primitive::Value::Duration(d)) => format_duration(d).into(),
            None => J::Null,
        },
        Some(scalar::Value::Blob(b)) => b.uri.clone().into(),
        Some(scalar::Value::Binary(b)) if b.tag == "msgpack" => {
            decode_msgpack(&b.value).unwrap_or(J::Null)
        }
        Some(scalar::Value::Binary(b)) => base64::engine::general_purpose::STANDARD
            .encode(&b.value)
            .into(),
        Some(scalar::Value::Schema(sc)) => sc.uri.clone().into(),
        Some(scalar::Value::NoneType(_)) => J::Null,
        Some(scalar::Value::Error(e)) => {
            serde_json::json!({ "error": e.message, "failed_node_id": e.failed_node_id })
        }
        Some(scalar::Value::Generic(st)) => struct_to_json(st),
        Some(scalar::Value::StructuredDataset(sd)) => sd.uri.clone().into(),
        Some(scalar::Value::Union(u)) => u.value.as_deref().map(to_plain_json).unwrap_or(J::Null),
        None => J::Null,
    }
}

/// RFC 3339 in UTC with a `Z`, with fractional seconds only when there are some.
pub fn format_timestamp(t: &Timestamp) -> String {
    match DateTime::<Utc>::from_timestamp(t.seconds, t.nanos.max(0) as u32) {
        Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => format!("{}s", t.seconds),
    }
}

/// A Duration with seconds and nanos of one sign, as protobuf requires: `{1 s, -0.5 s}` is
/// 0.5 s. A file may hold a mixed one; everything agentctl shows reads it this way.
pub fn normalize_duration(d: &Duration) -> Duration {
    let nanos = d.seconds as i128 * 1_000_000_000 + d.nanos as i128;
    Duration {
        seconds: (nanos / 1_000_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64,
        nanos: (nanos % 1_000_000_000) as i32,
    }
}

/// Proto3 JSON's duration form: `5400s`, `1.500s`.
pub fn format_duration(d: &Duration) -> String {
    let nanos = d.seconds as i128 * 1_000_000_000 + d.nanos as i128;
    let sign = if nanos < 0 { "-" } else { "" };
    let nanos = nanos.abs();
    let (secs, frac) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
    if frac == 0 {
        format!("{sign}{secs}s")
    } else if frac % 1_000_000 == 0 {
        format!("{sign}{secs}.{:03}s", frac / 1_000_000)
    } else if frac % 1_000 == 0 {
        format!("{sign}{secs}.{:06}s", frac / 1_000)
    } else {
        format!("{sign}{secs}.{frac:09}s")
    }
}

/// A literal in one line for people: `10`, `"hi"`, `[1, 2]`, `s3://bucket/key`.
pub fn display(lit: &Literal) -> String {
    match to_plain_json(lit) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn datetimes_past_the_range_are_refused_not_a_panic() {
        let now = Utc::now();
        for s in [
            "9999-12-31 + 1 day",
            "now + 200000000 weeks",
            "now - 200000000 weeks",
            "0001-01-01 - 1s",
            "now + 99999999999999999999 days",
        ] {
            let e = parse_datetime(s, now).expect_err(s);
            if s != "now + 99999999999999999999 days" {
                assert!(e.is_some_and(|m| m.contains("1 to 9999")), "{s}");
            }
        }
        assert!(parse_duration("999999999999999h").is_none());
        assert!(parse_duration("10000 days").is_some());
    }

    #[test]
    fn no_string_makes_any_type_panic() {
        // a deterministic fuzz over characters that dates, durations, numbers and JSON use
        let alphabet: Vec<char> = "0123456789+-:. TZWdhmsuwneyk9eE{}[],\"'ab"
            .chars()
            .collect();
        let types: Vec<LiteralType> = (0..=9)
            .map(|s| LiteralType {
                r#type: Some(literal_type::Type::Simple(s)),
                ..Default::default()
            })
            .chain([LiteralType {
                r#type: Some(literal_type::Type::CollectionType(Box::new(LiteralType {
                    r#type: Some(literal_type::Type::Simple(SimpleType::Datetime as i32)),
                    ..Default::default()
                }))),
                ..Default::default()
            }])
            .collect();
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let now = Utc::now();
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 24) as usize;
            let s: String = (0..len)
                .map(|i| alphabet[((x >> (i % 8 * 8)) as usize + i * 7) % alphabet.len()])
                .collect();
            let _ = parse_datetime(&s, now);
            let _ = parse_duration(&s);
            for ty in &types {
                let _ = parse_str(&s, ty);
            }
        }
    }

    use super::*;

    #[test]
    fn durations_follow_pytimeparse() {
        let secs = |s: &str| parse_duration(s).map(|d| d.seconds as f64 + d.nanos as f64 / 1e9);
        assert_eq!(secs("90s"), Some(90.0));
        assert_eq!(secs("1h30m"), Some(5400.0));
        assert_eq!(secs("1.5s"), Some(1.5));
        assert_eq!(secs("01:02:03"), Some(3723.0));
        assert_eq!(secs("1:24"), Some(84.0));
        assert_eq!(secs(":22"), Some(22.0));
        assert_eq!(secs("10 days"), Some(864000.0));
        assert_eq!(secs("1 hour, 30 minutes"), Some(5400.0));
        assert_eq!(secs("-5m"), Some(-300.0));
        assert_eq!(secs("90"), None);
        assert_eq!(secs("PT1H"), None);
    }

    #[test]
    fn datetimes_follow_pyflyte() {
        let now = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
        let f = |s: &str| parse_datetime(s, now).map(|t| format_timestamp(&t));
        assert_eq!(f("2024-01-02"), Ok("2024-01-02T00:00:00Z".into()));
        assert_eq!(f("2024-01-02T03:04:05"), Ok("2024-01-02T03:04:05Z".into()));
        assert_eq!(f("2024-01-02 03:04:05"), Ok("2024-01-02T03:04:05Z".into()));
        assert_eq!(
            f("2024-01-02T03:04:05+02:00"),
            Ok("2024-01-02T01:04:05Z".into())
        );
        assert_eq!(f("now"), Ok("2024-05-06T07:08:09Z".into()));
        assert_eq!(f("today - 1 day"), Ok("2024-05-05T00:00:00Z".into()));
        assert_eq!(f("2024-01-02 + 2h"), Ok("2024-01-02T02:00:00Z".into()));
        assert!(f("yesterday").is_err());
    }

    #[test]
    fn duration_json_form() {
        assert_eq!(
            format_duration(&Duration {
                seconds: 5400,
                nanos: 0
            }),
            "5400s"
        );
        assert_eq!(
            format_duration(&Duration {
                seconds: 1,
                nanos: 500_000_000
            }),
            "1.500s"
        );
        assert_eq!(
            format_duration(&Duration {
                seconds: -1,
                nanos: -500_000_000
            }),
            "-1.500s"
        );
    }
}
