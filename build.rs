//! Compiles `proto/` with protox (pure Rust, so a fresh machine needs no protoc) into
//! prost/tonic code plus the encoded descriptor set that proto3 JSON and reflection use.

const ROOTS: &[&str] = &[
    "flyteidl/service/agent.proto",
    "flyteidl/admin/task.proto",
    "flyteidl/core/errors.proto",
    "flyteidl2/connector/service.proto",
    "flyteidl2/task/task_definition.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let mut compiler = protox::Compiler::new(["proto"])?;
    compiler.include_imports(true).include_source_info(false);
    compiler.open_files(ROOTS)?;
    std::fs::write(
        out.join("descriptors.bin"),
        compiler.encode_file_descriptor_set(),
    )?;
    let mut config = prost_build::Config::new();
    // prost::Name gives each message its full name, which the JSON layer looks descriptors up by.
    config.enable_type_names();
    // ordered maps: the same input encodes to the same bytes every time (inputs.pb, `-o pb`)
    config.btree_map(["."]);
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds_with_config(compiler.file_descriptor_set(), config)?;
    Ok(())
}
