//! The project's own .proto files compile to the same wire as flyteidl 1.16.8: every message,
//! enum and service reachable from the agent services, TaskTemplate, TaskSpec, Task and
//! ErrorDocument in the PyPI package's descriptors is compared with ours, field by field.

use std::collections::{BTreeSet, VecDeque};

use prost::Message;
use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

use crate::util::{python, repo};

const ROOT_MESSAGES: &[&str] = &[
    "flyteidl.core.TaskTemplate",
    "flyteidl.admin.TaskSpec",
    "flyteidl.admin.Task",
    "flyteidl.core.ErrorDocument",
];
const SERVICES: &[&str] = &[
    "flyteidl.service.AsyncAgentService",
    "flyteidl.service.SyncAgentService",
    "flyteidl.service.AgentMetadataService",
];

fn upstream_pool() -> DescriptorPool {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("flyteidl.bin");
    let status = std::process::Command::new(python())
        .arg(repo().join("tests/python/dump_descriptors.py"))
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "dump_descriptors.py failed");
    DescriptorPool::decode(std::fs::read(&out).unwrap().as_slice()).unwrap()
}

fn ours() -> DescriptorPool {
    DescriptorPool::decode(agentctl::pb::FILE_DESCRIPTOR_SET).unwrap()
}

/// Every difference between `ours` and `reference` over the types reachable from the roots.
fn differences(reference: &DescriptorPool, ours: &DescriptorPool) -> (usize, Vec<String>) {
    let mut diffs = Vec::new();
    let mut queue: VecDeque<MessageDescriptor> = ROOT_MESSAGES
        .iter()
        .map(|n| reference.get_message_by_name(n).unwrap())
        .collect();
    let mut enums = BTreeSet::new();
    for s in SERVICES {
        let rs = reference.get_service_by_name(s).unwrap();
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
        if rp.options != op.options {
            diffs.push(format!(
                "{}: options {:?} != {:?}",
                rm.full_name(),
                op.options,
                rp.options
            ));
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
        if re.enum_descriptor_proto() != oe.enum_descriptor_proto() {
            diffs.push(format!(
                "enum {name}: {:?} != {:?}",
                oe.enum_descriptor_proto(),
                re.enum_descriptor_proto()
            ));
        }
    }
    (seen.len() + enums.len(), diffs)
}

#[test]
fn protos_match_flyteidl_1_16_8() {
    let (compared, diffs) = differences(&upstream_pool(), &ours());
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
    let (_, diffs) = differences(&upstream_pool(), &mutated);
    assert!(
        diffs
            .iter()
            .any(|d| d.contains("GetTaskRequest") && d.contains("output_prefix")),
        "{diffs:?}"
    );
}
