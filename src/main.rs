fn main() -> std::process::ExitCode {
    agentctl::cli::main(std::env::args_os().collect())
}
