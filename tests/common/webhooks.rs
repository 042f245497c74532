//! The callback test vectors shared by the webhook tests here and the property tests in
//! `checks/`: Sinch's documented signature example and the fixtures in
//! `tests/resources/webhooks/`.

/// The secret, nonce, timestamp and signature of Sinch's documented signature example.
pub const SECRET: &str = "foo_secret1234";
pub const NONCE: &str = "01FJA8B4A7BM43YGWSG9GBV067";
pub const TIMESTAMP: i64 = 1_634_579_353;
pub const SIGNATURE: &str = "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE=";

/// Every `*.json` callback fixture of the workspace whose root is `root`, by name, sorted.
/// The root is passed in because `CARGO_MANIFEST_DIR` differs between the crates that share
/// this file.
pub fn all_fixtures(root: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{root}/tests/resources/webhooks");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}
