//! The `cairn` command: parse the arguments and hand over to `cairn::cli`.

fn main() -> std::process::ExitCode {
    cairn::cli::main()
}
