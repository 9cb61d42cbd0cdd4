//! The Snowflake agent of `flytekitplugins-snowflake` 1.16.31 and `flyteplugins-snowflake`
//! 2.12.1 (task type `snowflake`) over Snowflake's SQL API v2, with neither the Snowflake
//! Python driver nor a Python agent server: `POST /api/v2/statements?async=true` with the
//! template's `sql.statement`, warehouse, database and schema, `GET /api/v2/statements/{handle}`
//! to poll (202 running, 200 done, 422 failed), `POST …/{handle}/cancel` on delete.
//!
//! The template is read where each SDK writes it: flytekit puts account, user, database, schema
//! and warehouse in the template's `config` map, Flyte 2 in `custom` (with `schema` defaulting
//! to `PUBLIC`, an optional `connection_kwargs` whose `role` is used, and `batch`). The Python
//! connectors fill the statement's `%(name)s` placeholders client-side (pyformat); here each
//! becomes a `?` bound server-side, typed as Snowflake's own connector types its server-side
//! bindings (FIXED, REAL, TEXT, BOOLEAN, TIMESTAMP_NTZ, TIME, BINARY), so no value is pasted
//! into SQL text. A list input becomes `?, ?, …` as the Python connector writes a list (`a,b`);
//! a Flyte 2 `batch` task repeats its `VALUES (…)` row once per list element as its connector
//! does.
//!
//! Authentication is Snowflake key-pair: a short-lived JWT signed RS256 with the private key
//! in the secret `snowflake_private_key` (Flyte 2: the `connection.secrets` entry of that name,
//! which flyteplugins-snowflake takes as its `snowflake_private_key` argument; flytekit: the
//! connector secret of that name), sent as `Authorization: Bearer` with
//! `X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT`. The key is read on every call and never
//! printed. The API host is `https://<account>.snowflakecomputing.com`, or
//! `AGENTCTL_SNOWFLAKE_ENDPOINT` (tests point it at a local fake).

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Map, Value, json};
use tonic::Status;

use super::AsyncAgent;
use crate::literal;
use crate::pb::core::task_execution::Phase;
use crate::pb::{admin, core};

/// The secret holding the PEM private key, as both plugins name it.
const PRIVATE_KEY: &str = "snowflake_private_key";
/// How long a JWT is good for: Snowflake accepts at most an hour; each call makes a new one.
const JWT_LIFETIME_SECS: i64 = 300;
/// How long one API call may take before its answer counts as lost.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Snowflake;

/// The statement's identity, with the field names of the Python connectors'
/// `SnowflakeJobMetadata` (JSON in `resource_meta`). `connection_kwargs` is there for a Flyte 2
/// template only, as in flyteplugins-snowflake's, and decides the Flyte 2 output URI and link;
/// only its `role` is kept, since its other values may be credentials.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Meta {
    user: String,
    account: String,
    database: String,
    schema: String,
    warehouse: String,
    query_id: String,
    has_output: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection_kwargs: Option<Map<String, Value>>,
}

impl Meta {
    fn flyte2(&self) -> bool {
        self.connection_kwargs.is_some()
    }
}

/// Where the statement runs, as the template says.
#[derive(Debug, Clone)]
struct Config {
    account: String,
    user: String,
    database: String,
    schema: String,
    warehouse: String,
    /// `Some` for a Flyte 2 template (its `custom.connection_kwargs`, possibly empty).
    connection_kwargs: Option<Map<String, Value>>,
    batch: bool,
}

fn config(t: &core::TaskTemplate) -> Result<Config, Status> {
    let missing = |what: &str| {
        Status::invalid_argument(format!(
            "the Snowflake template has no {what} (flytekit writes it in config, Flyte 2 in custom)"
        ))
    };
    let c = if t.config.contains_key("account") {
        // flytekitplugins-snowflake: all five in the template's config map
        let get = |k: &str| t.config.get(k).cloned().ok_or_else(|| missing(k));
        Config {
            account: get("account")?,
            user: get("user")?,
            database: get("database")?,
            schema: get("schema")?,
            warehouse: get("warehouse")?,
            connection_kwargs: None,
            batch: false,
        }
    } else {
        // flyteplugins-snowflake: custom, schema defaulting to PUBLIC
        let custom = t
            .custom
            .as_ref()
            .map(literal::struct_to_json)
            .unwrap_or(Value::Null);
        let get = |k: &str| {
            custom[k]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Config {
            account: get("account").ok_or_else(|| missing("account"))?,
            user: get("user").ok_or_else(|| missing("user"))?,
            database: get("database").ok_or_else(|| missing("database"))?,
            schema: get("schema").unwrap_or_else(|| "PUBLIC".into()),
            warehouse: get("warehouse").ok_or_else(|| missing("warehouse"))?,
            connection_kwargs: Some(
                custom["connection_kwargs"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
            batch: custom["batch"].as_bool().unwrap_or(false),
        }
    };
    check_account(&c.account)?;
    Ok(c)
}

/// An account identifier as Snowflake spells them (`org-account`, `xy12345.us-east-2.aws`): it
/// becomes a host name, so nothing else (under `serve` it is the caller's).
fn check_account(a: &str) -> Result<(), Status> {
    let ok = !a.is_empty()
        && !a.starts_with(['.', '-'])
        && !a.contains("..")
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Status::invalid_argument(format!(
            "{a:?} is not a Snowflake account identifier"
        )))
    }
}

/// A statement handle (a UUID-like query id): it goes into a URL path.
fn check_handle(h: &str) -> Result<(), Status> {
    if !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(())
    } else {
        Err(Status::invalid_argument(format!(
            "{h:?} is not a Snowflake statement handle"
        )))
    }
}

/// The SQL API URL of `segments` under `/api/v2/statements`, with `query` pairs.
fn api_url(
    account: &str,
    segments: &[&str],
    query: &[(&str, &str)],
) -> Result<reqwest::Url, Status> {
    check_account(account)?;
    let path: Vec<&str> = ["api", "v2", "statements"]
        .into_iter()
        .chain(segments.iter().copied())
        .collect();
    super::http_client::api_url(
        "Snowflake",
        "AGENTCTL_SNOWFLAKE_ENDPOINT",
        &format!("https://{account}.snowflakecomputing.com"),
        &path,
        query,
    )
}

// ------------------------------------------------------------------------------------ JWT

/// The private key in `pem` (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`, as
/// `cryptography.load_pem_private_key` reads them unencrypted). Errors never quote the key.
fn private_key(pem: &str) -> Result<ring::signature::RsaKeyPair, Status> {
    let bad = |why: &str| {
        Status::unauthenticated(format!(
            "the secret {PRIVATE_KEY} is not a usable private key: {why}"
        ))
    };
    let pem = pem.trim();
    if pem.contains("ENCRYPTED PRIVATE KEY") {
        return Err(bad(
            "it is encrypted, which agentctl cannot read; give it unencrypted \
             (openssl pkcs8 -topk8 -nocrypt)",
        ));
    }
    let pkcs1 = pem.starts_with("-----BEGIN RSA PRIVATE KEY-----");
    if !pkcs1 && !pem.starts_with("-----BEGIN PRIVATE KEY-----") {
        return Err(bad(
            "it is not a PEM private key (-----BEGIN PRIVATE KEY-----)",
        ));
    }
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| bad("its PEM body is not base64"))?;
    let key = if pkcs1 {
        ring::signature::RsaKeyPair::from_der(&der)
    } else {
        ring::signature::RsaKeyPair::from_pkcs8(&der)
    };
    key.map_err(|e| bad(&format!("not an RSA key ring accepts ({e})")))
}

/// A DER length.
fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(content.len()));
    out.extend_from_slice(content);
    out
}

/// The public key as a DER SubjectPublicKeyInfo (what `openssl rsa -pubout -outform DER`
/// writes, and what Snowflake's fingerprint is of), from ring's PKCS#1 RSAPublicKey.
fn public_key_info(key: &ring::signature::RsaKeyPair) -> Vec<u8> {
    use ring::signature::KeyPair as _;
    // AlgorithmIdentifier { rsaEncryption, NULL }
    let algorithm = der(
        0x30,
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ],
    );
    let mut bits = vec![0u8];
    bits.extend_from_slice(key.public_key().as_ref());
    let mut seq = algorithm;
    seq.extend(der(0x03, &bits));
    der(0x30, &seq)
}

/// `SHA256:<base64 of the SHA-256 of the public key's DER>`, as `DESC USER` shows it in
/// RSA_PUBLIC_KEY_FP.
fn fingerprint(key: &ring::signature::RsaKeyPair) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, &public_key_info(key));
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

/// The account as the JWT names it: upper-case, without the region and cloud of a locator
/// (`xy12345.us-east-2.aws` → `XY12345`), as Snowflake's own connector does.
fn jwt_account(account: &str) -> String {
    let a = if account.contains(".global") {
        account.split('-').next().unwrap_or(account)
    } else {
        account.split('.').next().unwrap_or(account)
    };
    a.to_uppercase()
}

/// A key-pair JWT for `account`/`user`, valid from now for [`JWT_LIFETIME_SECS`].
fn jwt(
    key: &ring::signature::RsaKeyPair,
    account: &str,
    user: &str,
    now: i64,
) -> Result<String, Status> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let sub = format!("{}.{}", jwt_account(account), user.to_uppercase());
    let header = json!({"alg": "RS256", "typ": "JWT"});
    let claims = json!({
        "iss": format!("{sub}.{}", fingerprint(key)),
        "sub": sub,
        "iat": now,
        "exp": now + JWT_LIFETIME_SECS,
    });
    let signed = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
    )
    .map_err(|_| Status::internal("signing the Snowflake JWT failed"))?;
    Ok(format!("{signed}.{}", b64.encode(sig)))
}

// ------------------------------------------------------------------------------- bindings

/// A `%(name)s` placeholder or a `%%` in a pyformat statement.
enum Piece<'a> {
    Text(&'a str),
    Percent,
    Param(&'a str),
}

/// The statement cut at its pyformat directives, as Python's `%` with a dict reads it: only
/// `%(name)s` and `%%` are accepted (anything else would fail in the Python connector too).
fn pieces(statement: &str) -> Result<Vec<Piece<'_>>, Status> {
    let mut out = Vec::new();
    let mut rest = statement;
    while let Some(i) = rest.find('%') {
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('%') {
            out.push(Piece::Percent);
            rest = r;
        } else if let Some(r) = after.strip_prefix('(') {
            let close = r.find(')').ok_or_else(|| {
                Status::invalid_argument("the statement has a `%(` without its `)s`")
            })?;
            let name = &r[..close];
            let r = r[close + 1..].strip_prefix('s').ok_or_else(|| {
                Status::invalid_argument(format!(
                    "the statement's placeholder %({name}) is not %({name})s"
                ))
            })?;
            out.push(Piece::Param(name));
            rest = r;
        } else {
            return Err(Status::invalid_argument(format!(
                "the statement has a `%` that is neither %(name)s nor %% (at {:?}); \
                 write a literal percent sign as %%",
                after.chars().take(10).collect::<String>()
            )));
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// The Snowflake binding type of a declared scalar type, as Snowflake's connector types the
/// Python value flytekit makes of it.
fn declared_binding_type(t: &core::LiteralType) -> Option<&'static str> {
    use core::SimpleType as S;
    match &t.r#type {
        Some(core::literal_type::Type::Simple(s)) => match S::try_from(*s).ok()? {
            S::Integer => Some("FIXED"),
            S::Float => Some("REAL"),
            S::String => Some("TEXT"),
            S::Boolean => Some("BOOLEAN"),
            S::Datetime => Some("TIMESTAMP_NTZ"),
            S::Duration => Some("TIME"),
            S::Binary => Some("BINARY"),
            _ => None,
        },
        Some(core::literal_type::Type::Blob(_)) => None,
        Some(core::literal_type::Type::UnionType(u)) => {
            // Optional[T]: the type of its non-None variant
            let mut real = u.variants.iter().filter(|v| {
                !matches!(&v.r#type, Some(core::literal_type::Type::Simple(s)) if *s == S::None as i32)
            });
            match (real.next(), real.next()) {
                (Some(t), None) => declared_binding_type(t),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A REAL value as Snowflake's connector writes one (`NaN`, `Infinity`, `-Infinity` by name).
fn real(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{f:?}")
    }
}

/// The binding values of one input: one for a scalar, one per element for a list.
fn bindings_of(
    name: &str,
    lit: &core::Literal,
    declared: Option<&core::LiteralType>,
) -> Result<Vec<Value>, Status> {
    use core::{literal, primitive, scalar};
    let typed = |ty: &str, value: Value| json!({"type": ty, "value": value});
    let unsupported = |what: &str| {
        Status::invalid_argument(format!("input {name}: Snowflake has no binding for {what}"))
    };
    match &lit.value {
        Some(literal::Value::Scalar(s)) => match &s.value {
            Some(scalar::Value::Primitive(p)) => Ok(vec![match &p.value {
                Some(primitive::Value::Integer(i)) => typed("FIXED", i.to_string().into()),
                Some(primitive::Value::FloatValue(f)) => typed("REAL", real(*f).into()),
                Some(primitive::Value::StringValue(s)) => typed("TEXT", s.clone().into()),
                Some(primitive::Value::Boolean(b)) => typed("BOOLEAN", b.to_string().into()),
                Some(primitive::Value::Datetime(t)) => {
                    // the UTC wall-clock time in nanoseconds since the epoch, to the
                    // microsecond flytekit's datetime keeps
                    let micros = i128::from(t.seconds) * 1_000_000 + i128::from(t.nanos / 1000);
                    typed("TIMESTAMP_NTZ", (micros * 1000).to_string().into())
                }
                Some(primitive::Value::Duration(d)) => {
                    let micros = i128::from(d.seconds) * 1_000_000 + i128::from(d.nanos / 1000);
                    typed("TIME", (micros * 1000).to_string().into())
                }
                None => return Err(unsupported("an empty primitive")),
            }]),
            Some(scalar::Value::Binary(b)) => {
                let hex: String = b.value.iter().map(|x| format!("{x:02x}")).collect();
                Ok(vec![typed("BINARY", hex.into())])
            }
            Some(scalar::Value::NoneType(_)) => {
                let ty = declared.and_then(declared_binding_type).unwrap_or("TEXT");
                Ok(vec![typed(ty, Value::Null)])
            }
            Some(scalar::Value::Union(u)) => match &u.value {
                Some(inner) => bindings_of(name, inner, u.r#type.as_ref()),
                None => Ok(vec![typed("TEXT", Value::Null)]),
            },
            _ => Err(unsupported("this kind of literal")),
        },
        Some(literal::Value::Collection(c)) => {
            let element = declared.and_then(|t| match &t.r#type {
                Some(core::literal_type::Type::CollectionType(e)) => Some(e.as_ref()),
                _ => None,
            });
            let mut out = Vec::new();
            for l in &c.literals {
                if matches!(l.value, Some(literal::Value::Collection(_))) {
                    return Err(unsupported("a list of lists"));
                }
                out.extend(bindings_of(name, l, element)?);
            }
            if out.is_empty() {
                return Err(Status::invalid_argument(format!(
                    "input {name} is an empty list, which binds to nothing (the Python \
                     connector would write an empty SQL list)"
                )));
            }
            Ok(out)
        }
        _ => Err(unsupported("this kind of literal")),
    }
}

/// The statement with `?` for each placeholder, and the bindings in order (`"1"`, `"2"`…).
/// With no inputs the statement goes as written (the Python connectors pass no parameters, so
/// no `%` is interpreted).
fn bind(
    statement: &str,
    inputs: &core::LiteralMap,
    declared: &std::collections::BTreeMap<String, core::Variable>,
    batch: bool,
) -> Result<(String, Map<String, Value>), Status> {
    if inputs.literals.is_empty() {
        return Ok((statement.to_string(), Map::new()));
    }
    let declared_of = |n: &str| declared.get(n).and_then(|v| v.r#type.as_ref());
    let mut values: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for (n, l) in &inputs.literals {
        values.insert(n.clone(), bindings_of(n, l, declared_of(n))?);
    }
    let statement = if batch {
        expand_batch(statement, &mut values)?
    } else {
        statement.to_string()
    };
    let mut sql = String::new();
    let mut bindings = Map::new();
    for piece in pieces(&statement)? {
        match piece {
            Piece::Text(t) => sql.push_str(t),
            Piece::Percent => sql.push('%'),
            Piece::Param(name) => {
                let vs = values.get(name).ok_or_else(|| {
                    Status::invalid_argument(format!(
                        "the statement's placeholder %({name})s names no input"
                    ))
                })?;
                let marks: Vec<&str> = vs.iter().map(|_| "?").collect();
                sql.push_str(&marks.join(", "));
                for v in vs {
                    bindings.insert((bindings.len() + 1).to_string(), v.clone());
                }
            }
        }
    }
    Ok((sql, bindings))
}

/// flyteplugins-snowflake's batch mode: the statement's one `VALUES (…)` row repeated once per
/// element of the (equally long) list inputs, each placeholder renamed `%(name_i)s`.
fn expand_batch(
    statement: &str,
    values: &mut std::collections::BTreeMap<String, Vec<Value>>,
) -> Result<String, Status> {
    let bad = |why: &str| Status::invalid_argument(format!("batch statement: {why}"));
    let lengths: std::collections::BTreeSet<usize> = values.values().map(Vec::len).collect();
    if lengths.len() != 1 {
        return Err(bad("all batch input lists must have the same length"));
    }
    let rows = lengths.into_iter().next().unwrap_or(0);
    let re = regex::Regex::new(r"(?i)VALUES\s*\(((?:[^()]*|\([^)]*\))*)\)").expect("a valid regex");
    let found: Vec<_> = re.captures_iter(statement).collect();
    let m = match found.as_slice() {
        [one] => one,
        [] => return Err(bad("batch inputs need a VALUES (...) clause")),
        _ => {
            return Err(bad(
                "batch expansion supports exactly one VALUES (...) clause",
            ));
        }
    };
    let whole = m.get(0).expect("group 0");
    let inner = m.get(1).map(|g| g.as_str()).unwrap_or_default();
    let mut rows_sql: Vec<String> = vec![inner.to_string(); rows];
    let mut flat = std::collections::BTreeMap::new();
    for (n, vs) in values.iter() {
        for (i, (row, v)) in rows_sql.iter_mut().zip(vs).enumerate() {
            *row = row.replace(&format!("%({n})s"), &format!("%({n}_{i})s"));
            flat.insert(format!("{n}_{i}"), vec![v.clone()]);
        }
    }
    let rows_sql: Vec<String> = rows_sql.iter().map(|r| format!("({r})")).collect();
    *values = flat;
    Ok(format!(
        "{}VALUES {}{}",
        &statement[..whole.start()],
        rows_sql.join(", "),
        &statement[whole.end()..]
    ))
}

// ------------------------------------------------------------------------------------ API

fn request_id() -> Result<String, Status> {
    super::http_client::uuid_v4("a Snowflake request id")
}

/// Snowflake's words for a failed statement or call: its message, SQL state and code.
fn error_message(body: &Value) -> String {
    let Some(message) = body["message"].as_str() else {
        return body.to_string();
    };
    let mut extra = Vec::new();
    if let Some(s) = body["sqlState"].as_str() {
        extra.push(format!("SQL state {s}"));
    }
    if let Some(c) = body["code"].as_str() {
        extra.push(format!("code {c}"));
    }
    if extra.is_empty() {
        message.to_string()
    } else {
        format!("{message} ({})", extra.join(", "))
    }
}

/// A call that did not go as the API says it goes: the gRPC code that best says why.
fn call_failed(what: &str, status: reqwest::StatusCode, body: &Value) -> Status {
    let text = format!(
        "Snowflake {what} answered {status}: {}",
        error_message(body)
    );
    match status.as_u16() {
        400 | 422 => Status::invalid_argument(text),
        401 => Status::unauthenticated(text),
        403 => Status::permission_denied(text),
        404 => Status::not_found(text),
        408 | 429 | 500..=599 => Status::unavailable(text),
        _ => Status::internal(text),
    }
}

/// One authenticated call: its HTTP status and JSON body (Null when it has none).
async fn call(
    account: &str,
    user: &str,
    req: reqwest::RequestBuilder,
    what: &str,
) -> Result<(reqwest::StatusCode, Value), Status> {
    let pem = super::secrets::lookup(PRIVATE_KEY).map_err(|why| {
        Status::unauthenticated(format!(
            "Snowflake key-pair authentication needs a private key: {why}"
        ))
    })?;
    let key = private_key(&pem)?;
    let token = jwt(&key, account, user, chrono::Utc::now().timestamp())?;
    let resp = req
        .bearer_auth(token)
        .header("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT")
        .header(reqwest::header::ACCEPT, "application/json")
        .header(
            reqwest::header::USER_AGENT,
            concat!("agentctl/", env!("CARGO_PKG_VERSION")),
        )
        .timeout(CALL_TIMEOUT)
        .send()
        .await
        .map_err(|e| {
            Status::unavailable(format!(
                "Snowflake {what}: {}",
                super::http_client::describe(&e)
            ))
        })?;
    let status = resp.status();
    Ok((status, resp.json().await.unwrap_or(Value::Null)))
}

fn meta_of(resource_meta: &[u8]) -> Result<Meta, Status> {
    let m: Meta = serde_json::from_slice(resource_meta).map_err(|e| {
        Status::invalid_argument(format!("resource_meta is not Snowflake job metadata: {e}"))
    })?;
    check_account(&m.account)?;
    check_handle(&m.query_id)?;
    Ok(m)
}

/// The query's page in Snowsight, as each Python connector links it.
fn query_link(m: &Meta) -> core::TaskLog {
    let tail = format!("/#/compute/history/queries/{}/detail", m.query_id);
    if m.flyte2() {
        // flyteplugins-snowflake: org-account → /org/account, else /account
        let base = match m.account.split_once('-') {
            Some((org, name)) => format!("https://app.snowflake.com/{org}/{name}"),
            None => format!("https://app.snowflake.com/{}", m.account),
        };
        core::TaskLog {
            name: "Snowflake Dashboard".into(),
            uri: format!("{base}{tail}"),
            ..Default::default()
        }
    } else {
        // flytekitplugins-snowflake: the account split at '-', as /<second part>/<first part>
        let mut parts = m.account.split('-');
        let account = parts.next().unwrap_or_default();
        let region = parts.next().unwrap_or_default();
        core::TaskLog {
            name: "Snowflake Query Details".into(),
            uri: format!("https://app.snowflake.com/{region}/{account}{tail}"),
            ..Default::default()
        }
    }
}

/// The `results` URI each Python connector gives a finished query.
fn results_uri(m: &Meta) -> String {
    let sep = if m.flyte2() { '/' } else { ':' };
    format!(
        "snowflake://{}{sep}{}/{}/{}/{}/{}",
        m.user, m.account, m.warehouse, m.database, m.schema, m.query_id
    )
}

fn results(m: &Meta) -> core::LiteralMap {
    let sd = core::Literal {
        value: Some(core::literal::Value::Scalar(Box::new(core::Scalar {
            value: Some(core::scalar::Value::StructuredDataset(
                core::StructuredDataset {
                    uri: results_uri(m),
                    metadata: Some(core::StructuredDatasetMetadata {
                        structured_dataset_type: Some(Default::default()),
                    }),
                },
            )),
        }))),
        ..Default::default()
    };
    core::LiteralMap {
        literals: [("results".to_string(), sd)].into(),
    }
}

impl Snowflake {
    async fn submit(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        let t = req
            .template
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("no template"))?;
        let c = config(t)?;
        let statement = match &t.target {
            Some(core::task_template::Target::Sql(sql)) => sql.statement.clone(),
            _ => {
                return Err(Status::invalid_argument(
                    "a Snowflake task needs an sql target",
                ));
            }
        };
        let inputs = req.inputs.clone().unwrap_or_default();
        let (statement, bindings) =
            bind(&statement, &inputs, &crate::inputs::variables(t), c.batch)?;
        let mut body = json!({
            "statement": statement,
            "warehouse": c.warehouse,
            "database": c.database,
            "schema": c.schema,
        });
        if let Some(role) = c
            .connection_kwargs
            .as_ref()
            .and_then(|k| k.get("role"))
            .and_then(Value::as_str)
        {
            body["role"] = role.into();
        }
        if !bindings.is_empty() {
            body["bindings"] = Value::Object(bindings);
        }
        let id = request_id()?;
        let url = api_url(&c.account, &[], &[("async", "true"), ("requestId", &id)])?;
        let request = super::http_client::shared().post(url).json(&body);
        let (status, answer) = call(&c.account, &c.user, request, "statement submit").await?;
        let handle = answer["statementHandle"].as_str().unwrap_or_default();
        // 202 (running), 200 (done already) and 422 (failed at once) all name the statement,
        // whose outcome get reports
        let named = matches!(status.as_u16(), 200 | 202 | 422) && !handle.is_empty();
        if !named {
            return Err(call_failed("statement submit", status, &answer));
        }
        check_handle(handle)?;
        let outputs = t
            .interface
            .as_ref()
            .and_then(|i| i.outputs.as_ref())
            .is_some_and(|o| !o.variables.is_empty());
        serde_json::to_vec(&Meta {
            user: c.user,
            account: c.account,
            database: c.database,
            schema: c.schema,
            warehouse: c.warehouse,
            query_id: handle.to_string(),
            has_output: outputs,
            // the role, and that it is a Flyte 2 statement: the other kwargs may hold a password
            // or a token, and resource_meta ends up in handles and reports
            connection_kwargs: c
                .connection_kwargs
                .map(|k| k.into_iter().filter(|(key, _)| key == "role").collect()),
        })
        .map_err(|e| Status::internal(e.to_string()))
    }

    async fn status(&self, resource_meta: &[u8]) -> Result<admin::Resource, Status> {
        let m = meta_of(resource_meta)?;
        let url = api_url(&m.account, &[&m.query_id], &[])?;
        let request = super::http_client::shared().get(url);
        let (status, body) = call(&m.account, &m.user, request, "statement status").await?;
        let link = query_link(&m);
        let message = body["message"].as_str().unwrap_or_default().to_string();
        let (phase, message, outputs) = match status.as_u16() {
            202 => (Phase::Running, message, None),
            200 => (Phase::Succeeded, message, m.has_output.then(|| results(&m))),
            422 => (Phase::Failed, error_message(&body), None),
            _ => return Err(call_failed("statement status", status, &body)),
        };
        Ok(admin::Resource {
            phase: phase as i32,
            message,
            outputs,
            log_links: vec![link],
            ..Default::default()
        })
    }

    async fn cancel(&self, resource_meta: &[u8]) -> Result<(), Status> {
        let m = meta_of(resource_meta)?;
        let url = api_url(&m.account, &[&m.query_id, "cancel"], &[])?;
        let request = super::http_client::shared().post(url);
        let (status, body) = call(&m.account, &m.user, request, "statement cancel").await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(call_failed("statement cancel", status, &body))
        }
    }
}

#[tonic::async_trait]
impl AsyncAgent for Snowflake {
    async fn create(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        self.submit(req).await
    }

    async fn get(&self, resource_meta: &[u8]) -> Result<admin::Resource, Status> {
        self.status(resource_meta).await
    }

    async fn delete(&self, resource_meta: &[u8]) -> Result<(), Status> {
        self.cancel(resource_meta).await
    }
}

/// Where the statement runs, the statement as sent (`?` for each placeholder) and what each
/// `?` binds, from the template alone (a list input binds one `?` per element).
fn describe_statement(t: &core::TaskTemplate) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    let c = match config(t) {
        Ok(c) => c,
        Err(e) => return vec![("snowflake", e.message().to_string())],
    };
    rows.push(("account", c.account.clone()));
    rows.push(("user", c.user.clone()));
    rows.push(("warehouse", c.warehouse.clone()));
    rows.push(("database", format!("{}.{}", c.database, c.schema)));
    if let Some(role) = c
        .connection_kwargs
        .as_ref()
        .and_then(|k| k.get("role"))
        .and_then(Value::as_str)
    {
        rows.push(("role", role.to_string()));
    }
    let Some(core::task_template::Target::Sql(sql)) = &t.target else {
        return rows;
    };
    let declared = crate::inputs::variables(t);
    if declared.is_empty() {
        rows.push(("statement", sql.statement.clone()));
        return rows;
    }
    let mut text = String::new();
    let mut binds = Vec::new();
    match pieces(&sql.statement) {
        Ok(pieces) => {
            for p in pieces {
                match p {
                    Piece::Text(s) => text.push_str(s),
                    Piece::Percent => text.push('%'),
                    Piece::Param(name) => {
                        text.push('?');
                        let ty = declared.get(name).and_then(|v| v.r#type.as_ref());
                        let kind = match ty.map(|t| &t.r#type) {
                            Some(Some(core::literal_type::Type::CollectionType(e))) => {
                                format!(
                                    "{}, one ? per element",
                                    declared_binding_type(e).unwrap_or("?")
                                )
                            }
                            _ => ty
                                .and_then(declared_binding_type)
                                .unwrap_or("not bindable")
                                .to_string(),
                        };
                        binds.push(format!("{}: {name} ({kind})", binds.len() + 1));
                    }
                }
            }
            rows.push(("statement", text));
            if c.batch {
                rows.push(("batch", "one VALUES row per list element".into()));
            }
            rows.push((
                "bindings",
                if binds.is_empty() {
                    "none".into()
                } else {
                    binds.join("; ")
                },
            ));
        }
        Err(e) => rows.push(("statement", format!("{} ({})", sql.statement, e.message()))),
    }
    rows
}

pub fn registered() -> super::Registered {
    super::Registered {
        name: "Snowflake Connector",
        category: super::category("snowflake"),
        implementation: super::Implementation::Async(std::sync::Arc::new(Snowflake)),
        describe: describe_statement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> core::Literal {
        core::Literal {
            value: Some(core::literal::Value::Scalar(Box::new(core::Scalar {
                value: Some(core::scalar::Value::Primitive(core::Primitive {
                    value: Some(core::primitive::Value::Integer(i)),
                })),
            }))),
            ..Default::default()
        }
    }

    fn list(items: Vec<core::Literal>) -> core::Literal {
        core::Literal {
            value: Some(core::literal::Value::Collection(core::LiteralCollection {
                literals: items,
            })),
            ..Default::default()
        }
    }

    #[test]
    fn placeholders_become_ordered_bindings() {
        let inputs = core::LiteralMap {
            literals: [
                ("a".to_string(), int(1)),
                ("ids".to_string(), list(vec![int(2), int(3)])),
            ]
            .into(),
        };
        let (sql, b) = bind(
            "SELECT '%%' WHERE a = %(a)s AND id IN (%(ids)s) OR a = %(a)s",
            &inputs,
            &Default::default(),
            false,
        )
        .unwrap();
        assert_eq!(sql, "SELECT '%' WHERE a = ? AND id IN (?, ?) OR a = ?");
        let values: Vec<&str> = (1..=4)
            .map(|i| b[&i.to_string()]["value"].as_str().unwrap())
            .collect();
        assert_eq!(values, ["1", "2", "3", "1"]);
        for bad in ["%(a)d", "50%", "%(nope)s", "%(a"] {
            assert!(
                bind(bad, &inputs, &Default::default(), false).is_err(),
                "{bad}"
            );
        }
        // no inputs: nothing is interpreted, as the Python connectors pass no parameters
        let (sql, b) = bind(
            "SELECT '50%'",
            &Default::default(),
            &Default::default(),
            false,
        )
        .unwrap();
        assert_eq!((sql.as_str(), b.len()), ("SELECT '50%'", 0));
    }

    #[test]
    fn batch_repeats_the_values_row() {
        let inputs = core::LiteralMap {
            literals: [
                ("a".to_string(), list(vec![int(1), int(2)])),
                ("b".to_string(), list(vec![int(3), int(4)])),
            ]
            .into(),
        };
        let (sql, b) = bind(
            "INSERT INTO t (a, b) VALUES (%(a)s, %(b)s)",
            &inputs,
            &Default::default(),
            true,
        )
        .unwrap();
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        let values: Vec<&str> = (1..=4)
            .map(|i| b[&i.to_string()]["value"].as_str().unwrap())
            .collect();
        assert_eq!(values, ["1", "3", "2", "4"]);
    }

    #[test]
    fn jwt_account_drops_region_and_upper_cases() {
        assert_eq!(jwt_account("xy12345.us-east-2.aws"), "XY12345");
        assert_eq!(jwt_account("myorg-myaccount"), "MYORG-MYACCOUNT");
        assert_eq!(jwt_account("myorg-acct.global"), "MYORG");
    }

    #[test]
    fn names_are_checked_before_urls() {
        for bad in ["", "a/b", "evil.com/x", "a@b", "..", "-x", "a b"] {
            assert!(check_account(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "..", "a/b", "x?y", "01a.b"] {
            assert!(check_handle(bad).is_err(), "{bad:?}");
        }
        assert!(check_account("myorg-my_account").is_ok());
        assert!(check_handle("01b2c3d4-0000-1111-0000-000000000042").is_ok());
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_len(5), [5]);
        assert_eq!(der_len(0x80), [0x81, 0x80]);
        assert_eq!(der_len(270), [0x82, 0x01, 0x0e]);
    }
}
