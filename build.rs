//! Embeds the seed data files (one JSON file per table) into the binary, so that the server
//! never reads reference files at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("assets/seed");
    println!("cargo:rerun-if-changed=assets/seed");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json") && !n.starts_with('_'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("pub static SEED_FILES: &[(&str, &str)] = &[\n");
    for n in &names {
        let table = n.trim_end_matches(".json");
        let path = std::fs::canonicalize(dir.join(n)).unwrap_or_else(|_| dir.join(n));
        let _ = writeln!(
            out,
            "    ({table:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("seed_files.rs"), out) {
        panic!("cannot write seed_files.rs: {e}");
    }
}
