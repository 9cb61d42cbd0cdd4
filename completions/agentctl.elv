
use builtin;
use str;

set edit:completion:arg-completer[agentctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'agentctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'agentctl'= {
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run a task: create it on the agent, poll until it ends, print the outputs'
            cand create 'Create a task and print its handle (JSON) for `get` and `delete`'
            cand get 'Ask an agent once for the state of a job, by handle'
            cand delete 'Delete (abort) a job, by handle'
            cand describe 'Show what a task template holds: type, interface, target, timeout, retries'
            cand inputs 'Print the LiteralMap the given input flags make, without sending anything'
            cand template 'Print a task template as proto3 JSON or binary, whatever form it was read from'
            cand agents 'What agent services offer: health, agents, sync or async, task categories'
            cand serve 'Serve agentctl''s built-in agents over gRPC to propeller, flytekit or another agentctl'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentctl;run'= {
            cand --task 'In a `pyflyte package` tarball holding several tasks, the one to use'
            cand --task-version 'In `flytectl get task` output holding several versions, the one to use'
            cand --input 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes'
            cand --inputs 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it'
            cand --endpoint 'The agent service: host:port, dns:///host:port, http://host:port or https://host:port'
            cand --secret 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)'
            cand --connection-config 'A connection config entry'
            cand --output-prefix 'Where the agent writes outputs: a path, a file:// URI, or another scheme passed as is [default: a fresh local directory]'
            cand --timeout 'Bound the whole run, discovery and every attempt included (90s, 5m, 1h30m); on expiry the job is deleted, exit 124'
            cand --retries 'Retries for retryable failures [default: the template''s metadata.retries]'
            cand --poll-interval 'The longest wait between two GetTask calls; the first come quickly, then back off to this'
            cand --max-get-failures 'Failed GetTask calls allowed per attempt before giving up with exit 3 (propeller''s maxSystemFailures)'
            cand -o 'Output format on stdout'
            cand --output 'Output format on stdout'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand --local 'Run the task in this process with agentctl''s built-in agent for its type; beats AGENTCTL_ENDPOINT (a flag beats the environment)'
            cand --remote 'Send the task over gRPC (needs --endpoint or AGENTCTL_ENDPOINT)'
            cand --dry-run 'Print the route the task would take (deployment, address, sync or async, deadlines) and why, then exit 0 without creating anything'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;create'= {
            cand --task 'In a `pyflyte package` tarball holding several tasks, the one to use'
            cand --task-version 'In `flytectl get task` output holding several versions, the one to use'
            cand --input 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes'
            cand --inputs 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it'
            cand --endpoint 'The agent service: host:port, dns:///host:port, http://host:port or https://host:port'
            cand --secret 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)'
            cand --connection-config 'A connection config entry'
            cand --output-prefix 'Where the agent writes outputs [default: a fresh local directory]'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;get'= {
            cand --endpoint 'The agent service (overrides the handle''s; AGENTCTL_ENDPOINT is used only for a job given without a handle)'
            cand --task-type 'Without a handle: the task type'
            cand --task-version 'Without a handle: the task type''s version'
            cand --secret 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)'
            cand --connection-config 'A connection config entry'
            cand --resource-meta 'Without a handle: the job''s resource_meta, base64'
            cand --output-prefix 'The output prefix sent with GetTask (overrides the handle''s)'
            cand -o 'Output format on stdout (get only)'
            cand --output 'Output format on stdout (get only)'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;delete'= {
            cand --endpoint 'The agent service (overrides the handle''s; AGENTCTL_ENDPOINT is used only for a job given without a handle)'
            cand --task-type 'Without a handle: the task type'
            cand --task-version 'Without a handle: the task type''s version'
            cand --secret 'A connection secret: the connector''s NAME, read from the environment variable ENV_VAR (never a value on the command line)'
            cand --connection-config 'A connection config entry'
            cand --resource-meta 'Without a handle: the job''s resource_meta, base64'
            cand --output-prefix 'The output prefix sent with GetTask (overrides the handle''s)'
            cand -o 'Output format on stdout (get only)'
            cand --output 'Output format on stdout (get only)'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;describe'= {
            cand --task 'In a `pyflyte package` tarball holding several tasks, the one to use'
            cand --task-version 'In `flytectl get task` output holding several versions, the one to use'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;inputs'= {
            cand --task 'In a `pyflyte package` tarball holding several tasks, the one to use'
            cand --task-version 'In `flytectl get task` output holding several versions, the one to use'
            cand --input 'A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes'
            cand --inputs 'Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name. Flags override it'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'agentctl;template'= {
            cand --task 'In a `pyflyte package` tarball holding several tasks, the one to use'
            cand --task-version 'In `flytectl get task` output holding several versions, the one to use'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'agentctl;agents'= {
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Every deployment (--endpoint, or each one in --config): health and agents'
            cand get 'One agent by name, from the first deployment that has it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentctl;agents;list'= {
            cand --endpoint 'The agent service to ask (instead of the deployments in --config)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;agents;get'= {
            cand --endpoint 'The agent service to ask (instead of the deployments in --config)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;agents;help'= {
            cand list 'Every deployment (--endpoint, or each one in --config): health and agents'
            cand get 'One agent by name, from the first deployment that has it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentctl;agents;help;list'= {
        }
        &'agentctl;agents;help;get'= {
        }
        &'agentctl;agents;help;help'= {
        }
        &'agentctl;serve'= {
            cand --host 'The address to listen on (loopback by default; 0.0.0.0 for a pod)'
            cand --port 'The port; 0 picks a free one. `listening on HOST:PORT` is printed once calls are accepted'
            cand --max-connections 'Connections open at once; more wait in the listen backlog'
            cand --idle-timeout 'Close a connection that sends nothing for this long (live clients answer the 30 s keepalive pings)'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;completions'= {
            cand --dir 'Write the script into DIR (as agentctl.bash, _agentctl, …) instead of stdout'
            cand --env-file 'Load environment variables from FILE (default: ./.env when it exists); the real environment wins over the file'
            cand --config 'Propeller''s configmap YAML (plugins.agent-service / plugins.connector-service): route tasks, set deadlines and connect exactly as the cluster would'
            cand --wire 'The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2 connectors, flyteidl2.connector), or auto (detected per endpoint)'
            cand --call-timeout 'The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health) [default: 10s, propeller''s; a configmap''s own deadlines otherwise]'
            cand --ca-cert 'Trust this PEM CA for TLS, besides the system roots'
            cand --client-cert 'Client certificate (PEM) for mutual TLS; with --client-key'
            cand --client-key 'Client private key (PEM) for mutual TLS; with --client-cert'
            cand -H 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment (quote it: -H ''authorization: Bearer ${TOKEN}'')'
            cand --authority 'Override the :authority (and the TLS server name) sent to the agent'
            cand -v 'More detail on stderr (the route taken, each call)'
            cand --verbose 'More detail on stderr (the route taken, each call)'
            cand -q 'Print only errors on stderr'
            cand --quiet 'Print only errors on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentctl;help'= {
            cand run 'Run a task: create it on the agent, poll until it ends, print the outputs'
            cand create 'Create a task and print its handle (JSON) for `get` and `delete`'
            cand get 'Ask an agent once for the state of a job, by handle'
            cand delete 'Delete (abort) a job, by handle'
            cand describe 'Show what a task template holds: type, interface, target, timeout, retries'
            cand inputs 'Print the LiteralMap the given input flags make, without sending anything'
            cand template 'Print a task template as proto3 JSON or binary, whatever form it was read from'
            cand agents 'What agent services offer: health, agents, sync or async, task categories'
            cand serve 'Serve agentctl''s built-in agents over gRPC to propeller, flytekit or another agentctl'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentctl;help;run'= {
        }
        &'agentctl;help;create'= {
        }
        &'agentctl;help;get'= {
        }
        &'agentctl;help;delete'= {
        }
        &'agentctl;help;describe'= {
        }
        &'agentctl;help;inputs'= {
        }
        &'agentctl;help;template'= {
        }
        &'agentctl;help;agents'= {
            cand list 'Every deployment (--endpoint, or each one in --config): health and agents'
            cand get 'One agent by name, from the first deployment that has it'
        }
        &'agentctl;help;agents;list'= {
        }
        &'agentctl;help;agents;get'= {
        }
        &'agentctl;help;serve'= {
        }
        &'agentctl;help;completions'= {
        }
        &'agentctl;help;help'= {
        }
    ]
    $completions[$command]
}
