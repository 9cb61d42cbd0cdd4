//! `agentctl check`: does an agent deployment keep the contract propeller relies on? Each rule
//! has an id, and reports pass, warn, fail or skip with its evidence. Rules that need no
//! template only list and ask health (and ask GetTask for a category nobody serves); each
//! template adds the rules that need a real job. Every job made here is finished or deleted
//! before `check` returns, on Ctrl-C too, or its evidence holds the handle and the command that
//! deletes it (a failed DeleteTask; a CreateTask cut at its deadline leaves no handle to give).
//! A new rule is one entry in [`RULES`] and its code in [`run`].

use std::time::{Duration, Instant};

use tonic::Code;

use crate::agent::Agent;
use crate::agent::remote::RemoteAgent;
use crate::error::Error;
use crate::pb::core;
use crate::report::{self, Outcome};
use crate::runner::{self, Interrupts, OutputPrefix, State};
use crate::template::Loaded;
use crate::wire::{self, Connection, Job, Wire, v1, v2};

/// Every rule: id, what it checks, why propeller needs it.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "serving.health",
        "gRPC health answers SERVING for the generation's service names",
        "deployments are probed by health; a server that is not SERVING is routed around",
    ),
    (
        "serving.discovery",
        "ListAgents/ListConnectors answers within the deadline; every agent has a name and a category; no category is claimed twice",
        "propeller routes task types by discovery (flyte#5718)",
    ),
    (
        "serving.get-agent",
        "GetAgent/GetConnector agrees with the list",
        "clients and UIs ask for one agent by name",
    ),
    (
        "serving.unknown-type",
        "a task type nobody serves is refused with NOT_FOUND",
        "propeller tells a missing agent from a broken one by the code",
    ),
    (
        "create.accepted",
        "CreateTask returns a non-empty resource_meta (async), or ExecuteTaskSync answers a Resource (sync)",
        "without a resource_meta the job cannot be polled or deleted",
    ),
    (
        "create.latency",
        "CreateTask answers within propeller's deadlines (warn above 3 s, fail above 10 s; a configmap's own deadlines with --config)",
        "a slow create is cancelled by propeller and retried (flyte#5209)",
    ),
    (
        "roundtrip.repeatable",
        "GetTask with the exact resource_meta answers the same job several times and from a fresh connection",
        "propeller polls from any replica, with the bytes it stored (\"failed to encode the metadata\")",
    ),
    (
        "roundtrip.forward-only",
        "phases only move forward, and a terminal answer stays terminal",
        "propeller would otherwise report a finished job as running (flyte#3855)",
    ),
    (
        "roundtrip.garbage-meta",
        "a garbage resource_meta gives an error status within the deadline, not a hang or a crash",
        "a corrupted meta must fail the task, not the agent",
    ),
    (
        "outcome.outputs",
        "a successful job's outputs match the interface (every declared output, its type)",
        "downstream tasks read the outputs propeller writes",
    ),
    (
        "outcome.failure-message",
        "a failed job has a message; ABORTED only after a delete",
        "users see this message; an unprompted ABORTED is misread (flyte#5566, #5210, #6465)",
    ),
    (
        "delete.running",
        "DeleteTask on a running job succeeds, and GetTask then reaches a terminal phase or NOT_FOUND",
        "timeouts and aborts cancel the external job (flyte#2298)",
    ),
    (
        "delete.idempotent",
        "DeleteTask twice, and on a finished job, succeeds",
        "propeller may delete again after a retry or on a finished job",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleResult {
    pub id: &'static str,
    pub template: Option<String>,
    pub status: Status,
    pub evidence: String,
    pub seconds: f64,
}

/// What `check` was asked to do.
pub struct Plan<'a> {
    pub agent: &'a RemoteAgent,
    /// With `--config`: the deployment's own deadlines for CreateTask.
    pub configured: bool,
    pub templates: Vec<(&'a Loaded, core::LiteralMap)>,
    /// Ids or prefixes; empty: every rule.
    pub rules: Vec<String>,
    /// How long one job may take to end.
    pub timeout: Duration,
}

impl Plan<'_> {
    fn wanted(&self, id: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| id.starts_with(r.as_str()))
    }
}

struct Out<'a> {
    results: Vec<RuleResult>,
    on: &'a mut dyn FnMut(&RuleResult),
}

impl Out<'_> {
    fn add(
        &mut self,
        id: &'static str,
        template: Option<&str>,
        status: Status,
        evidence: String,
        t0: Instant,
    ) {
        let r = RuleResult {
            id,
            template: template.map(str::to_string),
            status,
            evidence: crate::mask::apply(&evidence),
            seconds: t0.elapsed().as_secs_f64(),
        };
        (self.on)(&r);
        self.results.push(r);
    }
}

/// A status with its whole message: flytekit puts the cause on the lines after the first.
fn code(s: &tonic::Status) -> String {
    format!("{:?}: {}", s.code(), s.message().trim_end())
}

/// The rules a template adds, in the order they run.
const TEMPLATE_RULES: &[&str] = &[
    "create.accepted",
    "create.latency",
    "roundtrip.repeatable",
    "roundtrip.forward-only",
    "roundtrip.garbage-meta",
    "outcome.outputs",
    "outcome.failure-message",
    "delete.running",
    "delete.idempotent",
];

/// Whether the endpoint could not be reached at all (exit 3).
pub fn unreachable(results: &[RuleResult]) -> bool {
    results.iter().any(|r| {
        r.id == "serving.health" && r.status == Status::Fail && r.evidence.contains("Unavailable")
    })
}

/// Runs the plan's rules; `on` sees each result as it comes.
pub async fn run(
    plan: &Plan<'_>,
    interrupts: &Interrupts,
    on: &mut dyn FnMut(&RuleResult),
) -> Result<Vec<RuleResult>, Error> {
    let mut out = Out {
        results: Vec::new(),
        on,
    };
    let agent = plan.agent;
    let t = agent.transport();
    let wire = match agent.wire().await {
        Ok(d) => d.wire,
        // nothing answers: that is what serving.health says, with the reason
        Err(e) => {
            out.add(
                "serving.health",
                None,
                Status::Fail,
                e.to_string(),
                Instant::now(),
            );
            return Ok(out.results);
        }
    };

    if plan.wanted("serving.health") {
        let t0 = Instant::now();
        let names: &[&str] = match wire {
            Wire::V1 => &[v1::HEALTH_NAME, "flyteidl.service.AgentMetadataService"],
            Wire::V2 => &[
                v2::HEALTH_NAME,
                "flyteidl2.connector.ConnectorMetadataService",
            ],
        };
        let mut bad = Vec::new();
        for n in names {
            match t.health(n).await {
                Ok(s) if s == "SERVING" => {}
                Ok(s) => bad.push(format!("{n}: {s}")),
                Err(s) => bad.push(format!("{n}: {}", code(&s))),
            }
        }
        let (st, ev) = if bad.is_empty() {
            (Status::Pass, format!("SERVING for {}", names.join(", ")))
        } else {
            (Status::Fail, bad.join("; "))
        };
        out.add("serving.health", None, st, ev, t0);
    }

    let t0 = Instant::now();
    let listed = agent.list().await;
    if plan.wanted("serving.discovery") {
        let (st, ev) = match &listed {
            Err(s) => (Status::Fail, code(s)),
            Ok(agents) => {
                let mut problems = Vec::new();
                let mut seen = std::collections::BTreeMap::new();
                let mut names = std::collections::BTreeSet::new();
                for a in agents {
                    if a.name.is_empty() {
                        problems.push("an agent has no name".to_string());
                    } else if !names.insert(a.name.clone()) {
                        problems.push(format!("two agents are named {:?}", a.name));
                    }
                    if a.categories.is_empty() && a.task_types.is_empty() {
                        problems.push(format!("{:?} claims no task category", a.name));
                    }
                    for c in &a.categories {
                        if let Some(other) =
                            seen.insert((c.name.clone(), c.version), a.name.clone())
                        {
                            problems.push(format!(
                                "{} v{} is claimed by {other:?} and {:?}",
                                c.name, c.version, a.name
                            ));
                        }
                    }
                }
                let took = t0.elapsed();
                if took > crate::transport::DEFAULT_CALL_TIMEOUT {
                    problems.push(format!(
                        "answered in {:.1}s, past the 10s deadline",
                        took.as_secs_f64()
                    ));
                }
                if problems.is_empty() {
                    (
                        Status::Pass,
                        format!(
                            "{} agents in {:.0}ms",
                            agents.len(),
                            took.as_secs_f64() * 1000.0
                        ),
                    )
                } else {
                    (Status::Fail, problems.join("; "))
                }
            }
        };
        out.add("serving.discovery", None, st, ev, t0);
    }
    if plan.wanted("serving.get-agent") {
        let t0 = Instant::now();
        let (st, ev) = match &listed {
            Err(_) => (Status::Skip, "discovery did not answer".to_string()),
            Ok(agents) => {
                let mut problems = Vec::new();
                for a in agents {
                    match agent.get_agent(&a.name).await {
                        Ok(Some(g)) if &g == a => {}
                        Ok(Some(g)) => problems.push(format!(
                            "{:?}: GetAgent says {g:?}, the list says {a:?}",
                            a.name
                        )),
                        Ok(None) => {
                            problems.push(format!("{:?}: GetAgent answered no agent", a.name))
                        }
                        Err(s) => problems.push(format!("{:?}: {}", a.name, code(&s))),
                    }
                }
                if problems.is_empty() {
                    (
                        Status::Pass,
                        format!("{} agents agree with the list", agents.len()),
                    )
                } else {
                    (Status::Fail, problems.join("; "))
                }
            }
        };
        out.add("serving.get-agent", None, st, ev, t0);
    }
    if plan.wanted("serving.unknown-type") {
        let t0 = Instant::now();
        let job = Job {
            category: crate::pb::admin::TaskCategory {
                name: "agentctl-check-no-such-task-type".into(),
                version: 0,
            },
            resource_meta: b"{}".to_vec(),
            output_prefix: String::new(),
            connection: Connection::default(),
        };
        let (st, ev) = match agent.get(&job).await {
            Err(s) if s.code() == Code::NotFound => (Status::Pass, code(&s)),
            Err(s) => (Status::Warn, format!("{} (NOT_FOUND says more)", code(&s))),
            Ok(r) => (
                Status::Fail,
                format!(
                    "GetTask answered phase {} for a type nobody serves",
                    runner::interpret(&r).0
                ),
            ),
        };
        out.add("serving.unknown-type", None, st, ev, t0);
    }

    // the serving rules alone never create a job
    if TEMPLATE_RULES.iter().any(|id| plan.wanted(id)) {
        for (l, inputs) in &plan.templates {
            if interrupts.count() > 0 {
                break;
            }
            template_rules(plan, &mut out, l, inputs, interrupts).await;
            // a rule that could not run is reported as skipped, not left out
            let name = l.name();
            for id in TEMPLATE_RULES.iter().filter(|id| plan.wanted(id)) {
                let done = out
                    .results
                    .iter()
                    .any(|r| r.id == *id && r.template.as_deref() == Some(name.as_str()));
                if !done {
                    out.add(
                        id,
                        Some(&name),
                        Status::Skip,
                        "not reached: an earlier step for this template could not go on".into(),
                        Instant::now(),
                    );
                }
            }
        }
    }
    Ok(out.results)
}

fn rank(phase: &str) -> u8 {
    match phase {
        "QUEUED" | "WAITING_FOR_RESOURCES" | "UNDEFINED" => 1,
        "INITIALIZING" => 2,
        "RUNNING" => 3,
        _ => 4,
    }
}

async fn template_rules(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    l: &Loaded,
    inputs: &core::LiteralMap,
    interrupts: &Interrupts,
) {
    let agent = plan.agent;
    let name = l.name();
    let tname = Some(name.as_str());
    let category = crate::agent::category(&l.template);
    let prefix = OutputPrefix::fresh();
    if let Some(dir) = &prefix.local {
        let _ = runner::prepare_prefix(dir, inputs);
    }
    // the template's custom.secrets and configs, as run sends them
    let connection = match Connection::for_template(&l.template, &[], &[]) {
        Ok(c) => c,
        Err(e) => {
            out.add(
                "create.accepted",
                tname,
                Status::Fail,
                e.to_string(),
                Instant::now(),
            );
            return;
        }
    };
    let req = runner::create_request(&l.sendable, inputs, &connection, &prefix, 0);
    let prepared = match agent.prepare(&category).await {
        Ok(p) => p,
        Err(e) => {
            out.add(
                "create.accepted",
                tname,
                Status::Fail,
                e.to_string(),
                Instant::now(),
            );
            return;
        }
    };

    // create.accepted / create.latency
    let t0 = Instant::now();
    if prepared.sync {
        let r = agent.execute_sync(&req, None).await;
        let (st, ev) = match &r {
            Ok(res) => (
                Status::Pass,
                format!(
                    "ExecuteTaskSync answered {} (a sync agent: not reached with CreateTask)",
                    runner::interpret(res).0
                ),
            ),
            Err(s) => (Status::Fail, format!("ExecuteTaskSync: {}", code(s))),
        };
        if plan.wanted("create.accepted") {
            out.add("create.accepted", tname, st, ev, t0);
        }
        latency(plan, out, tname, t0.elapsed(), "ExecuteTaskSync");
        for id in [
            "roundtrip.repeatable",
            "roundtrip.forward-only",
            "roundtrip.garbage-meta",
            "delete.running",
            "delete.idempotent",
        ] {
            if plan.wanted(id) {
                out.add(
                    id,
                    tname,
                    Status::Skip,
                    "a sync agent has no job to poll or delete".into(),
                    Instant::now(),
                );
            }
        }
        if let Ok(res) = r {
            outcome(plan, out, l, &res, &prefix);
        }
        return;
    }
    let created = agent.create(&req).await;
    let took = t0.elapsed();
    let meta = match created {
        Ok(m) if !m.is_empty() => {
            if plan.wanted("create.accepted") {
                out.add(
                    "create.accepted",
                    tname,
                    Status::Pass,
                    format!("resource_meta of {} bytes", m.len()),
                    t0,
                );
            }
            m
        }
        Ok(_) => {
            if plan.wanted("create.accepted") {
                out.add(
                    "create.accepted",
                    tname,
                    Status::Fail,
                    "CreateTask returned an empty resource_meta".into(),
                    t0,
                );
            }
            return;
        }
        Err(s) => {
            if plan.wanted("create.accepted") {
                out.add(
                    "create.accepted",
                    tname,
                    Status::Fail,
                    format!("CreateTask: {}", code(&s)),
                    t0,
                );
            }
            if s.code() == Code::DeadlineExceeded {
                // cut at the deadline: the agent may still make the job, and nothing here
                // knows its resource_meta to delete it
                latency(plan, out, tname, took, "CreateTask");
            }
            return;
        }
    };
    latency(plan, out, tname, took, "CreateTask");
    let job = Job {
        category: category.clone(),
        resource_meta: meta,
        output_prefix: prefix.uri.clone(),
        connection: connection.clone(),
    };

    // roundtrip.repeatable: the same bytes, several times, and from a fresh connection
    let t0 = Instant::now();
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    for _ in 0..3 {
        match agent.get(&job).await {
            Ok(r) => answers.push(runner::interpret(&r).0),
            Err(s) => errors.push(code(&s)),
        }
    }
    // a new connection, dialled as the first (TLS, headers, deadlines)
    match agent.transport().reconnect() {
        Ok(t) => {
            let other = RemoteAgent::new(
                t,
                wire::detect::Choice::Fixed(
                    agent.wire().await.map(|d| d.wire).unwrap_or(Wire::V1),
                    "check".into(),
                ),
            );
            match other.get(&job).await {
                Ok(r) => answers.push(runner::interpret(&r).0),
                Err(s) => errors.push(format!("from a fresh connection: {}", code(&s))),
            }
        }
        Err(e) => errors.push(e.to_string()),
    }
    if plan.wanted("roundtrip.repeatable") {
        let (st, ev) = if errors.is_empty() {
            (
                Status::Pass,
                format!("{} answers: {}", answers.len(), answers.join(", ")),
            )
        } else {
            (Status::Fail, errors.join("; "))
        };
        out.add("roundtrip.repeatable", tname, st, ev, t0);
    }

    // roundtrip.forward-only: poll to the end, then twice more
    let t0 = Instant::now();
    let deadline = Instant::now() + plan.timeout;
    let mut phases: Vec<&'static str> = answers.clone();
    let mut last = None;
    let mut wait = Duration::ZERO;
    let mut interrupted = false;
    loop {
        if interrupts.count() > 0 {
            interrupted = true;
            break;
        }
        if Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(wait).await;
        // a failed GetTask is roundtrip.repeatable's business: keep polling
        if let Ok(r) = agent.get(&job).await {
            let (p, st) = runner::interpret(&r);
            phases.push(p);
            if st != State::Pending {
                last = Some(r);
                break;
            }
        }
        wait = runner::next_poll_wait(wait, Duration::from_secs(1));
    }
    let Some(finished) = last else {
        // not finished in time, or interrupted: delete it, as everything made here
        let deleted = match agent.delete(&job).await {
            Ok(()) => "the job was deleted".to_string(),
            Err(s) => {
                let w = agent.wire().await.ok().map(|d| d.wire);
                let handle = runner::handle_json(agent.endpoint().as_deref(), w, &job);
                format!(
                    "DeleteTask failed ({}); the job may still run.\n  handle: {handle}\n  to delete it: {}",
                    code(&s),
                    runner::delete_command(&handle)
                )
            }
        };
        let why = if interrupted {
            "interrupted"
        } else {
            "the job did not end within the check's timeout"
        };
        if plan.wanted("roundtrip.forward-only") {
            out.add(
                "roundtrip.forward-only",
                tname,
                Status::Skip,
                format!("{why}; {deleted}"),
                t0,
            );
        }
        return;
    };
    for _ in 0..2 {
        if let Ok(r) = agent.get(&job).await {
            phases.push(runner::interpret(&r).0);
        }
    }
    if plan.wanted("roundtrip.forward-only") {
        let backwards = phases
            .windows(2)
            .find(|w| rank(w[1]) < rank(w[0]) || (rank(w[0]) == 4 && w[0] != w[1]));
        let (st, ev) = match backwards {
            None => (Status::Pass, phases.join(" → ")),
            Some(w) => (
                Status::Fail,
                format!("{} then {}: {}", w[0], w[1], phases.join(" → ")),
            ),
        };
        out.add("roundtrip.forward-only", tname, st, ev, t0);
    }

    // roundtrip.garbage-meta
    if plan.wanted("roundtrip.garbage-meta") {
        let t0 = Instant::now();
        let garbage = Job {
            resource_meta: b"agentctl check: not a resource_meta \xff\xfe".to_vec(),
            ..job.clone()
        };
        let (st, ev) =
            match tokio::time::timeout(Duration::from_secs(10), agent.get(&garbage)).await {
                Err(_) => (
                    Status::Fail,
                    "no answer within 10s: the agent hangs on a garbage resource_meta".into(),
                ),
                Ok(Err(s)) if s.code() == Code::DeadlineExceeded => (Status::Fail, code(&s)),
                Ok(Err(s)) => (Status::Pass, code(&s)),
                Ok(Ok(r)) => (
                    Status::Fail,
                    format!(
                        "GetTask answered phase {} for garbage",
                        runner::interpret(&r).0
                    ),
                ),
            };
        out.add("roundtrip.garbage-meta", tname, st, ev, t0);
    }

    outcome(plan, out, l, &finished, &prefix);

    // delete.idempotent on the finished job, then delete.running on a second job
    let mut idem = Vec::new();
    let mut idem_done = vec!["twice on the finished job"];
    let t_idem = Instant::now();
    for _ in 0..2 {
        if let Err(s) = agent.delete(&job).await {
            idem.push(format!("on the finished job: {}", code(&s)));
        }
    }
    if plan.wanted("delete.running") || plan.wanted("delete.idempotent") {
        let t0 = Instant::now();
        match agent.create(&req).await {
            Err(s) => {
                if plan.wanted("delete.running") {
                    out.add(
                        "delete.running",
                        tname,
                        Status::Fail,
                        format!("the second CreateTask: {}", code(&s)),
                        t0,
                    );
                }
            }
            Ok(meta) => {
                let second = Job {
                    resource_meta: meta,
                    ..job.clone()
                };
                let first = agent.get(&second).await.map(|r| runner::interpret(&r).1);
                if matches!(first, Ok(s) if s != State::Pending) {
                    if plan.wanted("delete.running") {
                        out.add(
                            "delete.running",
                            tname,
                            Status::Skip,
                            "the job ended before the delete could be sent".into(),
                            t0,
                        );
                    }
                } else {
                    let deleted = agent.delete(&second).await;
                    let again = agent.delete(&second).await;
                    idem_done.push("twice on a running job");
                    if let Err(s) = &again {
                        idem.push(format!("twice on a running job: {}", code(s)));
                    }
                    if plan.wanted("delete.running") {
                        let (st, ev) = match deleted {
                            Err(s) => (Status::Fail, format!("DeleteTask: {}", code(&s))),
                            Ok(()) => {
                                let until = Instant::now() + Duration::from_secs(10);
                                let mut seen = "RUNNING".to_string();
                                let mut ended = false;
                                while Instant::now() < until {
                                    match agent.get(&second).await {
                                        Err(s) if s.code() == Code::NotFound => {
                                            seen = "NOT_FOUND".into();
                                            ended = true;
                                            break;
                                        }
                                        Ok(r) if runner::interpret(&r).1 != State::Pending => {
                                            seen = runner::interpret(&r).0.into();
                                            ended = true;
                                            break;
                                        }
                                        Ok(r) => seen = runner::interpret(&r).0.into(),
                                        Err(s) => seen = code(&s),
                                    }
                                    tokio::time::sleep(Duration::from_millis(200)).await;
                                }
                                if ended {
                                    (Status::Pass, format!("deleted; GetTask then said {seen}"))
                                } else {
                                    (
                                        Status::Warn,
                                        format!(
                                            "deleted, but GetTask still says {seen} 10s later: the external job may still run"
                                        ),
                                    )
                                }
                            }
                        };
                        out.add("delete.running", tname, st, ev, t0);
                    }
                }
            }
        }
    }
    if plan.wanted("delete.idempotent") {
        let (st, ev) = if idem.is_empty() {
            (
                Status::Pass,
                format!("DeleteTask {}: OK", idem_done.join(" and ")),
            )
        } else {
            (Status::Fail, idem.join("; "))
        };
        out.add("delete.idempotent", tname, st, ev, t_idem);
    }
}

fn latency(plan: &Plan<'_>, out: &mut Out<'_>, tname: Option<&str>, took: Duration, method: &str) {
    if !plan.wanted("create.latency") {
        return;
    }
    let (warn, fail) = if plan.configured {
        let d = plan
            .agent
            .transport()
            .deadlines()
            .of(method)
            .map(|d| d.0)
            .unwrap_or(crate::transport::DEFAULT_CALL_TIMEOUT);
        // the create is cut at the deadline itself: warn past half of it
        (d / 2, d)
    } else {
        (Duration::from_secs(3), Duration::from_secs(10))
    };
    let st = if took > fail {
        Status::Fail
    } else if took > warn {
        Status::Warn
    } else {
        Status::Pass
    };
    let ev = format!(
        "{method} took {:.0}ms (warn above {}, fail above {})",
        took.as_secs_f64() * 1000.0,
        runner::humantime_short(warn),
        runner::humantime_short(fail)
    );
    out.results.push(RuleResult {
        id: "create.latency",
        template: tname.map(str::to_string),
        status: st,
        evidence: ev,
        seconds: took.as_secs_f64(),
    });
    let r = out.results.last().cloned();
    if let Some(r) = r {
        (out.on)(&r);
    }
}

/// The outcome rules on a job nothing deleted.
fn outcome(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    l: &Loaded,
    r: &wire::Resource,
    prefix: &OutputPrefix,
) {
    let tname = l.name();
    let t0 = Instant::now();
    let (phase, state) = runner::interpret(r);
    if plan.wanted("outcome.outputs") {
        let (st, ev) = if state != State::Succeeded {
            (Status::Skip, format!("the job ended {phase}"))
        } else {
            let declared = crate::inputs::output_variables(&l.template);
            let outputs = r.outputs.clone().or_else(|| {
                let dir = prefix.local.as_ref()?;
                let bytes = std::fs::read(dir.join("outputs.pb")).ok()?;
                prost::Message::decode(bytes.as_slice()).ok()
            });
            let mut problems = Vec::new();
            for (name, var) in &declared {
                match outputs.as_ref().and_then(|o| o.literals.get(name)) {
                    None => problems.push(format!("{name} is missing")),
                    Some(lit) => {
                        if let Some(why) =
                            crate::literal::mismatch(lit, &var.r#type.clone().unwrap_or_default())
                        {
                            problems.push(format!("{name}: {why}"));
                        }
                    }
                }
            }
            if problems.is_empty() {
                (
                    Status::Pass,
                    format!(
                        "{} declared outputs present and typed as declared",
                        declared.len()
                    ),
                )
            } else {
                (Status::Fail, problems.join("; "))
            }
        };
        out.add("outcome.outputs", Some(&tname), st, ev, t0);
    }
    if plan.wanted("outcome.failure-message") {
        let (st, ev) = match phase {
            "ABORTED" => (
                Status::Fail,
                "ABORTED although nothing deleted the job".to_string(),
            ),
            "FAILED" | "RETRYABLE_FAILED" if r.message.trim().is_empty() => {
                (Status::Fail, format!("{phase} with an empty message"))
            }
            "FAILED" | "RETRYABLE_FAILED" => (Status::Pass, format!("{phase}: {}", r.message)),
            _ => (Status::Skip, format!("the job ended {phase}")),
        };
        out.add("outcome.failure-message", Some(&tname), st, ev, t0);
    }
}

/// The results as a report suite, for JUnit (a warn passes, with its evidence in system-out).
pub fn to_report(endpoint: &str, results: &[RuleResult], time: Duration) -> report::Suite {
    report::Suite {
        name: "agentctl check".into(),
        file: None,
        properties: vec![("endpoint".into(), endpoint.into())],
        cases: results
            .iter()
            .map(|r| report::Case {
                name: match &r.template {
                    Some(t) => format!("{} [{t}]", r.id),
                    None => r.id.to_string(),
                },
                outcome: match r.status {
                    Status::Pass | Status::Warn => Outcome::Passed,
                    Status::Fail => Outcome::Failed,
                    Status::Skip => Outcome::Skipped,
                },
                message: r.evidence.lines().next().unwrap_or_default().to_string(),
                detail: r.evidence.clone(),
                time: Duration::from_secs_f64(r.seconds),
                system_out: format!("{:?}: {}", r.status, r.evidence),
                line: None,
            })
            .collect(),
        time,
    }
}
