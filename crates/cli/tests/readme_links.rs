//! The README is the first thing a user of the repository reads: every link in it must lead to a
//! file of the repository (not to a folder beside it that only the project's authors have). The
//! contracts copied into `docs/contract/` say where they come from, and their README lists each.

use std::path::{Path, PathBuf};

/// The targets of the Markdown links `[text](target)` of a text, in order.
fn links(markdown: &str) -> Vec<&str> {
    markdown
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|t| t.split('#').next().unwrap_or(t).trim())
        .filter(|t| !t.is_empty())
        .collect()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The links of a Markdown file of the repository (`path` from its root) and those of them that
/// lead to no file inside it, each resolved from the file's own folder.
fn links_of(path: &str) -> (Vec<String>, Vec<String>) {
    let root = root();
    let file = root.join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    let folder = file.parent().unwrap();
    let found: Vec<String> = links(&text).into_iter().map(str::to_owned).collect();
    let broken = found
        .iter()
        .filter(|t| !t.starts_with("http://") && !t.starts_with("https://"))
        .filter(|t| {
            let target = folder.join(t);
            let inside = target.canonicalize().is_ok_and(|p| p.starts_with(&root));
            !inside || !target.is_file()
        })
        .cloned()
        .collect();
    (found, broken)
}

#[test]
fn every_link_of_the_readme_leads_to_a_file_of_the_repository() {
    let (found, broken) = links_of("README.md");
    assert!(found.iter().any(|l| l == "docs/contract/assess.md"), "{found:?}");
    assert!(broken.is_empty(), "README links that lead nowhere in the repository: {broken:?}");
}

#[test]
fn the_copied_contracts_say_where_they_come_from_and_are_each_listed() {
    let (found, broken) = links_of("docs/contract/README.md");
    assert!(broken.is_empty(), "docs/contract/README.md links that lead nowhere: {broken:?}");
    let text = std::fs::read_to_string(root().join("docs/contract/README.md")).unwrap();
    assert!(text.contains("Where they come from") && text.contains("shared/contract/"), "{text}");
    let mut copies: Vec<String> = std::fs::read_dir(root().join("docs/contract"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "README.md")
        .collect();
    copies.sort();
    for copy in &copies {
        assert!(found.contains(copy), "docs/contract/README.md does not list {copy}: {found:?}");
    }
    assert!(copies.iter().any(|c| c == "assess.md"), "{copies:?}");
}

#[test]
fn links_are_read_from_markdown() {
    assert_eq!(links("see [a](docs/a.md) and ![b](x.png#top) [c]()"), ["docs/a.md", "x.png"]);
}
