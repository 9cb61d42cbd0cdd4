# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_agentctl_global_optspecs
    string join \n env-file= v/verbose q/quiet config= wire= call-timeout= ca-cert= client-cert= client-key= H/header= authority= h/help V/version
end

function __fish_agentctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_agentctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_agentctl_using_subcommand
    set -l cmd (__fish_agentctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c agentctl -n "__fish_agentctl_needs_command" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_needs_command" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_needs_command" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_needs_command" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_needs_command" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_needs_command" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_needs_command" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_needs_command" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_needs_command" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_needs_command" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_needs_command" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_needs_command" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_needs_command" -s V -l version -d 'Print version'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "run" -d 'Run a task: create it on the agent, poll until it ends, print the outputs'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "create" -d 'Create a task and print its handle (JSON) for `get` and `delete`'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "get" -d 'Ask an agent once for the state of a job, by handle'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "delete" -d 'Delete (abort) a job, by handle'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "logs" -d 'Print a job\'s logs (GetTaskLogs), by handle; --follow until the job ends'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "metrics" -d 'Print a job\'s metrics (GetTaskMetrics), by handle'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "describe" -d 'Show what a task template holds: type, interface, target, timeout, retries'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "inputs" -d 'Print the LiteralMap the given input flags make, without sending anything'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "template" -d 'Print a task template as proto3 JSON or binary, whatever form it was read from'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "agents" -d 'What agent services offer: health, agents, sync or async, task categories'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "serve" -d 'Serve agentctl\'s built-in agents over gRPC to propeller, flytekit or another agentctl'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "test" -d 'Run declarative suites of cases (*.agentctl.yaml) concurrently, with reports CI reads'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "check" -d 'Check an agent deployment against the contract propeller relies on, rule by rule'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c agentctl -n "__fish_agentctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l task -d 'In a `pyflyte package` tarball holding several tasks, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l task-version -d 'In `flytectl get task` output holding several versions, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l input -d 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l inputs -d 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l endpoint -d 'The agent service: host:port, dns:///host:port, http://host:port or https://host:port' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l secret -d 'A connection secret: the connector\'s NAME, read from the environment variable ENV_VAR (never a value on the command line)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l connection-config -d 'A connection config entry' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l output-prefix -d 'Where the agent writes outputs: a path, a file:// URI, or another scheme passed as is [default: a fresh local directory]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l timeout -d 'Bound the whole run, discovery and every attempt included (90s, 5m, 1h30m); on expiry the job is deleted, exit 124' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l retries -d 'Retries for retryable failures [default: the template\'s metadata.retries]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l poll-interval -d 'The longest wait between two GetTask calls; the first come quickly, then back off to this' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l max-get-failures -d 'Failed GetTask calls allowed per attempt before giving up with exit 3 (propeller\'s maxSystemFailures)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -s o -l output -d 'Output format on stdout' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l local -d 'Run the task in this process with agentctl\'s built-in agent for its type; beats AGENTCTL_ENDPOINT (a flag beats the environment)'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l remote -d 'Send the task over gRPC (needs --endpoint or AGENTCTL_ENDPOINT)'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l logs -d 'Stream the job\'s logs to stderr while it runs (GetTaskLogs between polls)'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -l dry-run -d 'Print the route the task would take (deployment, address, sync or async, deadlines) and why, then exit 0 without creating anything'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand run" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l task -d 'In a `pyflyte package` tarball holding several tasks, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l task-version -d 'In `flytectl get task` output holding several versions, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l input -d 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l inputs -d 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l endpoint -d 'The agent service: host:port, dns:///host:port, http://host:port or https://host:port' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l secret -d 'A connection secret: the connector\'s NAME, read from the environment variable ENV_VAR (never a value on the command line)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l connection-config -d 'A connection config entry' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l output-prefix -d 'Where the agent writes outputs [default: a fresh local directory]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand create" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l endpoint -d 'The agent service (overrides the handle\'s; AGENTCTL_ENDPOINT is used only for a job given without a handle)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l task-type -d 'Without a handle: the task type' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l task-version -d 'Without a handle: the task type\'s version' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l secret -d 'A connection secret: the connector\'s NAME, read from the environment variable ENV_VAR (never a value on the command line)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l connection-config -d 'A connection config entry' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l resource-meta -d 'Without a handle: the job\'s resource_meta, base64' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l output-prefix -d 'The output prefix sent with GetTask (overrides the handle\'s)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -s o -l output -d 'Output format on stdout (get, logs: NDJSON, metrics)' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand get" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l endpoint -d 'The agent service (overrides the handle\'s; AGENTCTL_ENDPOINT is used only for a job given without a handle)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l task-type -d 'Without a handle: the task type' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l task-version -d 'Without a handle: the task type\'s version' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l secret -d 'A connection secret: the connector\'s NAME, read from the environment variable ENV_VAR (never a value on the command line)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l connection-config -d 'A connection config entry' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l resource-meta -d 'Without a handle: the job\'s resource_meta, base64' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l output-prefix -d 'The output prefix sent with GetTask (overrides the handle\'s)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -s o -l output -d 'Output format on stdout (get, logs: NDJSON, metrics)' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand delete" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l endpoint -d 'The agent service (overrides the handle\'s; AGENTCTL_ENDPOINT is used only for a job given without a handle)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l task-type -d 'Without a handle: the task type' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l task-version -d 'Without a handle: the task type\'s version' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l secret -d 'A connection secret: the connector\'s NAME, read from the environment variable ENV_VAR (never a value on the command line)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l connection-config -d 'A connection config entry' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l resource-meta -d 'Without a handle: the job\'s resource_meta, base64' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l output-prefix -d 'The output prefix sent with GetTask (overrides the handle\'s)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s o -l output -d 'Output format on stdout (get, logs: NDJSON, metrics)' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s n -l lines -d 'Ask for at most N lines, and show the last N of what is there now' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l since -d 'Show only lines from the last DURATION (10m, 1h)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s f -l follow -d 'Keep asking until the job ends (or Ctrl-C, which exits 0 and never deletes the job)'
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand logs" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l endpoint -d 'The agent service (overrides the handle\'s; AGENTCTL_ENDPOINT is used only for a job given without a handle)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l task-type -d 'Without a handle: the task type' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l task-version -d 'Without a handle: the task type\'s version' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l secret -d 'A connection secret: the connector\'s NAME, read from the environment variable ENV_VAR (never a value on the command line)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l connection-config -d 'A connection config entry' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l resource-meta -d 'Without a handle: the job\'s resource_meta, base64' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l output-prefix -d 'The output prefix sent with GetTask (overrides the handle\'s)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -s o -l output -d 'Output format on stdout (get, logs: NDJSON, metrics)' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l query -d 'A metric to ask for (repeat for several)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l start -d 'From this time (as a datetime input takes it: 2024-01-02T03:04:05, now - 1h)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l end -d 'Until this time [default: now]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l step -d 'The resolution' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand metrics" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l task -d 'In a `pyflyte package` tarball holding several tasks, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l task-version -d 'In `flytectl get task` output holding several versions, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand describe" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l task -d 'In a `pyflyte package` tarball holding several tasks, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l task-version -d 'In `flytectl get task` output holding several versions, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l input -d 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l inputs -d 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -s o -l output -d 'Output format' -r -f -a "json\t'proto3 JSON, keys sorted'
pb\t'binary protobuf'"
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand inputs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l task -d 'In a `pyflyte package` tarball holding several tasks, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l task-version -d 'In `flytectl get task` output holding several versions, the one to use' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -s o -l output -d 'Output format' -r -f -a "json\t'proto3 JSON, keys sorted'
pb\t'binary protobuf'"
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand template" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -f -a "list" -d 'Every deployment (--endpoint, or each one in --config): health and agents'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -f -a "get" -d 'One agent by name, from the first deployment that has it'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and not __fish_seen_subcommand_from list get help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l endpoint -d 'The agent service to ask (instead of the deployments in --config)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l endpoint -d 'The agent service to ask (instead of the deployments in --config)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every deployment (--endpoint, or each one in --config): health and agents'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "get" -d 'One agent by name, from the first deployment that has it'
complete -c agentctl -n "__fish_agentctl_using_subcommand agents; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l host -d 'The address to listen on (loopback by default; 0.0.0.0 for a pod)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l port -d 'The port; 0 picks a free one. `listening on HOST:PORT` is printed once calls are accepted' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l max-connections -d 'Connections open at once; more wait in the listen backlog' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l idle-timeout -d 'Close a connection that sends nothing for this long (live clients answer the 30 s keepalive pings)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand serve" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -s j -l jobs -d 'Cases run at once [default: the number of CPUs, at least 4]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l filter -d 'Run only the cases whose name contains PATTERN' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l junit -d 'Write JUnit XML (GitLab, Jenkins, GitHub actions read it)' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l report -d 'Write every case as one JSON document' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -s o -l output -d 'Output format on stdout (json: the report document)' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l fail-fast -d 'Start no further case after the first that does not pass'
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -l github -d 'GitHub annotations on failing cases and a step summary [default: on when GITHUB_ACTIONS=true]'
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand test" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l input -d 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l inputs -d 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l inputs-for -d 'With several templates: the inputs file of one' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l endpoint -d 'The agent service to check (instead of --config\'s routing)' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l rules -d 'Rule ids or prefixes, comma-separated (serving, create.latency, …) [default: all]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l timeout -d 'How long a checked job may take to end' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l junit -d 'Write JUnit XML: one testcase per rule and template' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -s o -l output -d 'Output format on stdout' -r -f -a "human\t''
json\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand check" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l dir -d 'Write the script into DIR (as agentctl.bash, _agentctl, …) instead of stdout' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l env-file -d 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l config -d 'Propeller\'s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l wire -d 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)' -r -f -a "v1\t''
v2\t''
auto\t''"
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l call-timeout -d 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller\'s; a configmap\'s own deadlines otherwise]' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l ca-cert -d 'Trust this PEM CA for TLS, besides the system roots' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l client-cert -d 'Client certificate (PEM) for mutual TLS; with --client-key' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l client-key -d 'Client private key (PEM) for mutual TLS; with --client-cert' -r -F
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -s H -l header -d 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H \'authorization: Bearer ${TOKEN}\')' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -l authority -d 'Override the :authority (and the TLS server name) sent to the agent' -r
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (the route taken, each call)'
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -s q -l quiet -d 'Print only errors on stderr'
complete -c agentctl -n "__fish_agentctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "run" -d 'Run a task: create it on the agent, poll until it ends, print the outputs'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "create" -d 'Create a task and print its handle (JSON) for `get` and `delete`'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "get" -d 'Ask an agent once for the state of a job, by handle'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "delete" -d 'Delete (abort) a job, by handle'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "logs" -d 'Print a job\'s logs (GetTaskLogs), by handle; --follow until the job ends'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "metrics" -d 'Print a job\'s metrics (GetTaskMetrics), by handle'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "describe" -d 'Show what a task template holds: type, interface, target, timeout, retries'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "inputs" -d 'Print the LiteralMap the given input flags make, without sending anything'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "template" -d 'Print a task template as proto3 JSON or binary, whatever form it was read from'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "agents" -d 'What agent services offer: health, agents, sync or async, task categories'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "serve" -d 'Serve agentctl\'s built-in agents over gRPC to propeller, flytekit or another agentctl'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "test" -d 'Run declarative suites of cases (*.agentctl.yaml) concurrently, with reports CI reads'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "check" -d 'Check an agent deployment against the contract propeller relies on, rule by rule'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and not __fish_seen_subcommand_from run create get delete logs metrics describe inputs template agents serve test check completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "list" -d 'Every deployment (--endpoint, or each one in --config): health and agents'
complete -c agentctl -n "__fish_agentctl_using_subcommand help; and __fish_seen_subcommand_from agents" -f -a "get" -d 'One agent by name, from the first deployment that has it'
