
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'agentctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'agentctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'agentctl' {
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a task: create it on the agent, poll until it ends, print the outputs')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a task and print its handle (JSON) for `get` and `delete`')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Ask an agent once for the state of a job, by handle')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete (abort) a job, by handle')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a job''s logs (GetTaskLogs), by handle; --follow until the job ends')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print a job''s metrics (GetTaskMetrics), by handle')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show what a task template holds: type, interface, target, timeout, retries')
            [CompletionResult]::new('inputs', 'inputs', [CompletionResultType]::ParameterValue, 'Print the LiteralMap the given input flags make, without sending anything')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Print a task template as proto3 JSON or binary, whatever form it was read from')
            [CompletionResult]::new('agents', 'agents', [CompletionResultType]::ParameterValue, 'What agent services offer: health, agents, sync or async, task categories')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve agentctl''s built-in agents over gRPC to propeller, flytekit or another agentctl')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run declarative suites of cases (*.agentctl.yaml) concurrently, with reports CI reads')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an agent deployment against the contract propeller relies on, rule by rule')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentctl;run' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'In a `pyflyte package` tarball holding several tasks, the one to use')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'In `flytectl get task` output holding several versions, the one to use')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes')
            [CompletionResult]::new('--inputs', '--inputs', [CompletionResultType]::ParameterName, 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service: host:port, dns:///host:port, http://host:port or https://host:port')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)')
            [CompletionResult]::new('--connection-config', '--connection-config', [CompletionResultType]::ParameterName, 'A connection config entry')
            [CompletionResult]::new('--output-prefix', '--output-prefix', [CompletionResultType]::ParameterName, 'Where the agent writes outputs: a path, a file:// URI, or another scheme passed as is [default: a fresh local directory]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound the whole run, discovery and every attempt included (90s, 5m, 1h30m); on expiry the job is deleted, exit 124')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: the template''s metadata.retries]')
            [CompletionResult]::new('--poll-interval', '--poll-interval', [CompletionResultType]::ParameterName, 'The longest wait between two GetTask calls; the first come quickly, then back off to this')
            [CompletionResult]::new('--max-get-failures', '--max-get-failures', [CompletionResultType]::ParameterName, 'Failed GetTask calls allowed per attempt before giving up with exit 3 (propeller''s maxSystemFailures)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Run the task in this process with agentctl''s built-in agent for its type; beats AGENTCTL_ENDPOINT (a flag beats the environment)')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Send the task over gRPC (needs --endpoint or AGENTCTL_ENDPOINT)')
            [CompletionResult]::new('--logs', '--logs', [CompletionResultType]::ParameterName, 'Stream the job''s logs to stderr while it runs (GetTaskLogs between polls)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the route the task would take (deployment, address, sync or async, deadlines) and why, then exit 0 without creating anything')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;create' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'In a `pyflyte package` tarball holding several tasks, the one to use')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'In `flytectl get task` output holding several versions, the one to use')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes')
            [CompletionResult]::new('--inputs', '--inputs', [CompletionResultType]::ParameterName, 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service: host:port, dns:///host:port, http://host:port or https://host:port')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)')
            [CompletionResult]::new('--connection-config', '--connection-config', [CompletionResultType]::ParameterName, 'A connection config entry')
            [CompletionResult]::new('--output-prefix', '--output-prefix', [CompletionResultType]::ParameterName, 'Where the agent writes outputs [default: a fresh local directory]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;get' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service (overrides the handle''s; AGENTCTL_ENDPOINT is used only for a job given without a handle)')
            [CompletionResult]::new('--task-type', '--task-type', [CompletionResultType]::ParameterName, 'Without a handle: the task type')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'Without a handle: the task type''s version')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)')
            [CompletionResult]::new('--connection-config', '--connection-config', [CompletionResultType]::ParameterName, 'A connection config entry')
            [CompletionResult]::new('--resource-meta', '--resource-meta', [CompletionResultType]::ParameterName, 'Without a handle: the job''s resource_meta, base64')
            [CompletionResult]::new('--output-prefix', '--output-prefix', [CompletionResultType]::ParameterName, 'The output prefix sent with GetTask (overrides the handle''s)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;delete' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service (overrides the handle''s; AGENTCTL_ENDPOINT is used only for a job given without a handle)')
            [CompletionResult]::new('--task-type', '--task-type', [CompletionResultType]::ParameterName, 'Without a handle: the task type')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'Without a handle: the task type''s version')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)')
            [CompletionResult]::new('--connection-config', '--connection-config', [CompletionResultType]::ParameterName, 'A connection config entry')
            [CompletionResult]::new('--resource-meta', '--resource-meta', [CompletionResultType]::ParameterName, 'Without a handle: the job''s resource_meta, base64')
            [CompletionResult]::new('--output-prefix', '--output-prefix', [CompletionResultType]::ParameterName, 'The output prefix sent with GetTask (overrides the handle''s)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;logs' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service (overrides the handle''s; AGENTCTL_ENDPOINT is used only for a job given without a handle)')
            [CompletionResult]::new('--task-type', '--task-type', [CompletionResultType]::ParameterName, 'Without a handle: the task type')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'Without a handle: the task type''s version')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)')
            [CompletionResult]::new('--connection-config', '--connection-config', [CompletionResultType]::ParameterName, 'A connection config entry')
            [CompletionResult]::new('--resource-meta', '--resource-meta', [CompletionResultType]::ParameterName, 'Without a handle: the job''s resource_meta, base64')
            [CompletionResult]::new('--output-prefix', '--output-prefix', [CompletionResultType]::ParameterName, 'The output prefix sent with GetTask (overrides the handle''s)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Ask for at most N lines, and show the last N of what is there now')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Ask for at most N lines, and show the last N of what is there now')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Show only lines from the last DURATION (10m, 1h)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep asking until the job ends (or Ctrl-C, which exits 0 and never deletes the job)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep asking until the job ends (or Ctrl-C, which exits 0 and never deletes the job)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;metrics' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service (overrides the handle''s; AGENTCTL_ENDPOINT is used only for a job given without a handle)')
            [CompletionResult]::new('--task-type', '--task-type', [CompletionResultType]::ParameterName, 'Without a handle: the task type')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'Without a handle: the task type''s version')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)')
            [CompletionResult]::new('--connection-config', '--connection-config', [CompletionResultType]::ParameterName, 'A connection config entry')
            [CompletionResult]::new('--resource-meta', '--resource-meta', [CompletionResultType]::ParameterName, 'Without a handle: the job''s resource_meta, base64')
            [CompletionResult]::new('--output-prefix', '--output-prefix', [CompletionResultType]::ParameterName, 'The output prefix sent with GetTask (overrides the handle''s)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (get, logs: NDJSON, metrics)')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'A metric to ask for (repeat for several)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'From this time (as a datetime input takes it: 2024-01-02T03:04:05, now - 1h)')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Until this time [default: now]')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'The resolution')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;describe' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'In a `pyflyte package` tarball holding several tasks, the one to use')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'In `flytectl get task` output holding several versions, the one to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;inputs' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'In a `pyflyte package` tarball holding several tasks, the one to use')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'In `flytectl get task` output holding several versions, the one to use')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes')
            [CompletionResult]::new('--inputs', '--inputs', [CompletionResultType]::ParameterName, 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'agentctl;template' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'In a `pyflyte package` tarball holding several tasks, the one to use')
            [CompletionResult]::new('--task-version', '--task-version', [CompletionResultType]::ParameterName, 'In `flytectl get task` output holding several versions, the one to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'agentctl;agents' {
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every deployment (--endpoint, or each one in --config): health and agents')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'One agent by name, from the first deployment that has it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentctl;agents;list' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service to ask (instead of the deployments in --config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;agents;get' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service to ask (instead of the deployments in --config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;agents;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every deployment (--endpoint, or each one in --config): health and agents')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'One agent by name, from the first deployment that has it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentctl;agents;help;list' {
            break
        }
        'agentctl;agents;help;get' {
            break
        }
        'agentctl;agents;help;help' {
            break
        }
        'agentctl;serve' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The address to listen on (loopback by default; 0.0.0.0 for a pod)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port; 0 picks a free one. `listening on HOST:PORT` is printed once calls are accepted')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; more wait in the listen backlog')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a connection that sends nothing for this long (live clients answer the 30 s keepalive pings)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;test' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Cases run at once [default: the number of CPUs, at least 4]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Cases run at once [default: the number of CPUs, at least 4]')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Run only the cases whose name contains PATTERN')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write JUnit XML (GitLab, Jenkins, GitHub actions read it)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write every case as one JSON document')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (json: the report document)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (json: the report document)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Start no further case after the first that does not pass')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'GitHub annotations on failing cases and a step summary [default: on when GITHUB_ACTIONS=true]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;check' {
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes')
            [CompletionResult]::new('--inputs', '--inputs', [CompletionResultType]::ParameterName, 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it')
            [CompletionResult]::new('--inputs-for', '--inputs-for', [CompletionResultType]::ParameterName, 'With several templates: the inputs file of one')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The agent service to check (instead of --config''s routing)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Rule ids or prefixes, comma-separated (serving, create.latency, …) [default: all]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a checked job may take to end')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write JUnit XML: one testcase per rule and template')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the script into DIR (as agentctl.bash, _agentctl, …) instead of stdout')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would')
            [CompletionResult]::new('--wire', '--wire', [CompletionResultType]::ParameterName, 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust this PEM CA for TLS, besides the system roots')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for mutual TLS; with --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for mutual TLS; with --client-cert')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Override the :authority (and the TLS server name) sent to the agent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (the route taken, each call)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentctl;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a task: create it on the agent, poll until it ends, print the outputs')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a task and print its handle (JSON) for `get` and `delete`')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Ask an agent once for the state of a job, by handle')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete (abort) a job, by handle')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a job''s logs (GetTaskLogs), by handle; --follow until the job ends')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print a job''s metrics (GetTaskMetrics), by handle')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show what a task template holds: type, interface, target, timeout, retries')
            [CompletionResult]::new('inputs', 'inputs', [CompletionResultType]::ParameterValue, 'Print the LiteralMap the given input flags make, without sending anything')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Print a task template as proto3 JSON or binary, whatever form it was read from')
            [CompletionResult]::new('agents', 'agents', [CompletionResultType]::ParameterValue, 'What agent services offer: health, agents, sync or async, task categories')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve agentctl''s built-in agents over gRPC to propeller, flytekit or another agentctl')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run declarative suites of cases (*.agentctl.yaml) concurrently, with reports CI reads')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an agent deployment against the contract propeller relies on, rule by rule')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentctl;help;run' {
            break
        }
        'agentctl;help;create' {
            break
        }
        'agentctl;help;get' {
            break
        }
        'agentctl;help;delete' {
            break
        }
        'agentctl;help;logs' {
            break
        }
        'agentctl;help;metrics' {
            break
        }
        'agentctl;help;describe' {
            break
        }
        'agentctl;help;inputs' {
            break
        }
        'agentctl;help;template' {
            break
        }
        'agentctl;help;agents' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every deployment (--endpoint, or each one in --config): health and agents')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'One agent by name, from the first deployment that has it')
            break
        }
        'agentctl;help;agents;list' {
            break
        }
        'agentctl;help;agents;get' {
            break
        }
        'agentctl;help;serve' {
            break
        }
        'agentctl;help;test' {
            break
        }
        'agentctl;help;check' {
            break
        }
        'agentctl;help;completions' {
            break
        }
        'agentctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
