//! The project's own .proto files compile to the same wire as the PyPI packages' descriptors,
//! field by field, over every message, enum and service reachable from the roots:
//! flyteidl 1.16.8 (the agent services, TaskTemplate, TaskSpec, Task and ErrorDocument) and
//! flyteidl2 2.0.51 (the connector services, TaskSpec, Inputs, Outputs and TaskTemplate).

use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;

use prost::Message;
use prost_reflect::{DescriptorPool, EnumDescriptor, Kind, MessageDescriptor};

use crate::util::{python, python2, repo};

/// What one generation's comparison starts from.
struct Roots {
    messages: &'static [&'static str],
    services: &'static [&'static str],
}

const V1: Roots = Roots {
    messages: &[
        "flyteidl.core.TaskTemplate",
        "flyteidl.admin.TaskSpec",
        "flyteidl.admin.Task",
        "flyteidl.core.ErrorDocument",
    ],
    services: &[
        "flyteidl.service.AsyncAgentService",
        "flyteidl.service.SyncAgentService",
        "flyteidl.service.AgentMetadataService",
    ],
};

const V2: Roots = Roots {
    messages: &[
        "flyteidl2.task.TaskSpec",
        "flyteidl2.task.Inputs",
        "flyteidl2.task.Outputs",
        "flyteidl2.core.TaskTemplate",
    ],
    services: &[
        "flyteidl2.connector.AsyncConnectorService",
        "flyteidl2.connector.ConnectorMetadataService",
    ],
};

/// The descriptors a package compiled in, as `script` (run by `python`) dumps them.
fn upstream_pool(python: PathBuf, script: &str) -> DescriptorPool {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("descriptors.bin");
    let status = std::process::Command::new(python)
        .arg(repo().join(script))
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "{script} failed");
    DescriptorPool::decode(std::fs::read(&out).unwrap().as_slice()).unwrap()
}

/// flyteidl 1.16.8's, from the flytekit venv.
fn upstream_v1() -> DescriptorPool {
    upstream_pool(python(), "tests/python/dump_descriptors.py")
}

/// flyteidl2 2.0.51's, from the Flyte 2 venv.
fn upstream_v2() -> DescriptorPool {
    upstream_pool(python2(), "tests/python2/dump_descriptors2.py")
}

/// An options message with nothing set counts as absent. Where the wheel's file had only
/// extension options (buf.validate, accelerator_name), prost-reflect's decoded proto keeps an
/// empty options message, since prost does not see extensions; ours has none there.
fn no_empty<T: Default + PartialEq>(options: &mut Option<T>) {
    if options.as_ref().is_some_and(|o| *o == T::default()) {
        *options = None;
    }
}

/// An enum's proto with empty options (its own and its values') taken as absent.
fn enum_proto(e: &EnumDescriptor) -> prost_types::EnumDescriptorProto {
    let mut p = e.enum_descriptor_proto().clone();
    no_empty(&mut p.options);
    for v in &mut p.value {
        no_empty(&mut v.options);
    }
    p
}

fn ours() -> DescriptorPool {
    DescriptorPool::decode(agentctl::pb::FILE_DESCRIPTOR_SET).unwrap()
}

/// Every difference between `ours` and `reference` over the types reachable from the roots.
fn differences(
    reference: &DescriptorPool,
    ours: &DescriptorPool,
    roots: &Roots,
) -> (usize, Vec<String>) {
    let mut diffs = Vec::new();
    let mut queue: VecDeque<MessageDescriptor> = roots
        .messages
        .iter()
        .map(|n| {
            reference
                .get_message_by_name(n)
                .unwrap_or_else(|| panic!("{n} is not in the reference"))
        })
        .collect();
    let mut enums = BTreeSet::new();
    for s in roots.services {
        let rs = reference
            .get_service_by_name(s)
            .unwrap_or_else(|| panic!("{s} is not in the reference"));
        let Some(os) = ours.get_service_by_name(s) else {
            diffs.push(format!("service {s} is missing"));
            continue;
        };
        let shape = |svc: &prost_reflect::ServiceDescriptor| -> Vec<String> {
            svc.methods()
                .map(|m| {
                    format!(
                        "{}({}{}) -> {}{}",
                        m.name(),
                        if m.is_client_streaming() {
                            "stream "
                        } else {
                            ""
                        },
                        m.input().full_name(),
                        if m.is_server_streaming() {
                            "stream "
                        } else {
                            ""
                        },
                        m.output().full_name()
                    )
                })
                .collect()
        };
        if shape(&rs) != shape(&os) {
            diffs.push(format!("service {s}: {:?} != {:?}", shape(&os), shape(&rs)));
        }
        for m in rs.methods() {
            queue.push_back(m.input());
            queue.push_back(m.output());
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(rm) = queue.pop_front() {
        if !seen.insert(rm.full_name().to_string()) {
            continue;
        }
        if let Some(parent) = rm.parent_message() {
            queue.push_back(parent);
        }
        let Some(om) = ours.get_message_by_name(rm.full_name()) else {
            diffs.push(format!("message {} is missing", rm.full_name()));
            continue;
        };
        let (rp, op) = (rm.descriptor_proto(), om.descriptor_proto());
        let fields = |m: &MessageDescriptor| -> Vec<String> {
            m.fields()
                .map(|f| {
                    let mut p = f.field_descriptor_proto().clone();
                    p.json_name = Some(f.json_name().to_string());
                    no_empty(&mut p.options);
                    format!(
                        "{p:?} oneof={:?}",
                        f.containing_oneof().map(|o| o.name().to_string())
                    )
                })
                .collect()
        };
        let (rf, of) = (fields(&rm), fields(&om));
        for f in rf.iter().filter(|f| !of.contains(f)) {
            diffs.push(format!(
                "{}: upstream field {f} differs or is missing",
                rm.full_name()
            ));
        }
        for f in of.iter().filter(|f| !rf.contains(f)) {
            diffs.push(format!(
                "{}: our field {f} is not upstream's",
                rm.full_name()
            ));
        }
        if rp.reserved_range != op.reserved_range || rp.reserved_name != op.reserved_name {
            diffs.push(format!(
                "{}: reserved {:?} != {:?}",
                rm.full_name(),
                op.reserved_range,
                rp.reserved_range
            ));
        }
        let (mut ro, mut oo) = (rp.options.clone(), op.options.clone());
        no_empty(&mut ro);
        no_empty(&mut oo);
        if ro != oo {
            diffs.push(format!("{}: options {:?} != {:?}", rm.full_name(), oo, ro));
        }
        let nested = |m: &MessageDescriptor| -> Vec<String> {
            m.child_messages()
                .map(|c| c.name().to_string())
                .chain(m.child_enums().map(|e| e.name().to_string()))
                .collect()
        };
        if nested(&rm) != nested(&om) {
            diffs.push(format!(
                "{}: nested types {:?} != {:?}",
                rm.full_name(),
                nested(&om),
                nested(&rm)
            ));
        }
        for e in rm.child_enums() {
            enums.insert(e.full_name().to_string());
        }
        for f in rm.fields() {
            match f.kind() {
                Kind::Message(m) => queue.push_back(m),
                Kind::Enum(e) => {
                    enums.insert(e.full_name().to_string());
                    if let Some(p) = e.parent_message() {
                        queue.push_back(p);
                    }
                }
                _ => {}
            }
        }
    }
    for name in &enums {
        let re = reference.get_enum_by_name(name).unwrap();
        let Some(oe) = ours.get_enum_by_name(name) else {
            diffs.push(format!("enum {name} is missing"));
            continue;
        };
        let (rp, op) = (enum_proto(&re), enum_proto(&oe));
        if rp != op {
            diffs.push(format!("enum {name}: {op:?} != {rp:?}"));
        }
    }
    (seen.len() + enums.len(), diffs)
}

#[test]
fn protos_match_flyteidl_1_16_8() {
    let (compared, diffs) = differences(&upstream_v1(), &ours(), &V1);
    assert!(compared > 100, "only {compared} types were compared");
    assert!(
        diffs.is_empty(),
        "{} differences from flyteidl 1.16.8:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn a_changed_field_number_is_caught() {
    // The comparison must be able to fail: renumber one field of ours and expect a report.
    let mut set =
        prost_types::FileDescriptorSet::decode(agentctl::pb::FILE_DESCRIPTOR_SET).unwrap();
    let file = set
        .file
        .iter_mut()
        .find(|f| f.name() == "flyteidl/admin/agent.proto")
        .unwrap();
    let msg = file
        .message_type
        .iter_mut()
        .find(|m| m.name() == "GetTaskRequest")
        .unwrap();
    let field = msg
        .field
        .iter_mut()
        .find(|f| f.name() == "output_prefix")
        .unwrap();
    field.number = Some(6);
    let mutated = DescriptorPool::from_file_descriptor_set(set).unwrap();
    let (_, diffs) = differences(&upstream_v1(), &mutated, &V1);
    assert!(
        diffs
            .iter()
            .any(|d| d.contains("GetTaskRequest") && d.contains("output_prefix")),
        "{diffs:?}"
    );
}

#[test]
fn protos_match_flyteidl2_2_0_51() {
    let (compared, diffs) = differences(&upstream_v2(), &ours(), &V2);
    assert!(compared > 100, "only {compared} types were compared");
    assert!(
        diffs.is_empty(),
        "{} differences from flyteidl2 2.0.51:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// Our descriptor set with one flyteidl2 message's field changed by `change`.
fn ours_v2_with(
    file: &str,
    message: &str,
    field: &str,
    change: impl FnOnce(&mut prost_types::FieldDescriptorProto),
) -> DescriptorPool {
    let mut set =
        prost_types::FileDescriptorSet::decode(agentctl::pb::FILE_DESCRIPTOR_SET).unwrap();
    let f = set
        .file
        .iter_mut()
        .find(|f| f.name() == file)
        .unwrap_or_else(|| panic!("{file} is not in our set"));
    let m = f
        .message_type
        .iter_mut()
        .find(|m| m.name() == message)
        .unwrap_or_else(|| panic!("{message} is not in {file}"));
    change(
        m.field
            .iter_mut()
            .find(|x| x.name() == field)
            .unwrap_or_else(|| panic!("{message}.{field} is missing")),
    );
    DescriptorPool::from_file_descriptor_set(set).unwrap()
}

#[test]
fn a_changed_flyteidl2_field_is_caught() {
    // The comparison must be able to fail: renumber one field of ours and expect a report.
    let upstream = upstream_v2();
    let mutated = ours_v2_with(
        "flyteidl2/connector/connector.proto",
        "GetTaskRequest",
        "output_prefix",
        |f| f.number = Some(6),
    );
    let (_, diffs) = differences(&upstream, &mutated, &V2);
    assert!(
        diffs
            .iter()
            .any(|d| d.contains("GetTaskRequest") && d.contains("output_prefix")),
        "{diffs:?}"
    );

    // an empty options message is no difference, a set option is one
    let empty = ours_v2_with(
        "flyteidl2/task/task_definition.proto",
        "TaskSpec",
        "short_name",
        |f| f.options = Some(prost_types::FieldOptions::default()),
    );
    let (_, diffs) = differences(&upstream, &empty, &V2);
    assert!(diffs.is_empty(), "{diffs:?}");
    let deprecated = ours_v2_with(
        "flyteidl2/task/task_definition.proto",
        "TaskSpec",
        "short_name",
        |f| {
            f.options = Some(prost_types::FieldOptions {
                deprecated: Some(true),
                ..Default::default()
            })
        },
    );
    let (_, diffs) = differences(&upstream, &deprecated, &V2);
    assert!(
        diffs
            .iter()
            .any(|d| d.contains("TaskSpec") && d.contains("short_name")),
        "{diffs:?}"
    );
}
