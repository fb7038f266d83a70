//! The README is the first thing a user of the repository reads: every link in it must lead to a
//! file of the repository (not to a folder beside it that only the project's authors have).

use std::path::Path;

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

#[test]
fn every_link_of_the_readme_leads_to_a_file_of_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let found = links(&readme);
    assert!(found.contains(&"docs/contract/assess.md"), "{found:?}");
    let mut broken = Vec::new();
    for target in found {
        if target.starts_with("http://") || target.starts_with("https://") {
            continue;
        }
        let path = root.join(target);
        let inside = path.canonicalize().is_ok_and(|p| p.starts_with(root.canonicalize().unwrap()));
        if !inside || !path.is_file() {
            broken.push(target);
        }
    }
    assert!(broken.is_empty(), "README links that lead nowhere in the repository: {broken:?}");
}

#[test]
fn links_are_read_from_markdown() {
    assert_eq!(links("see [a](docs/a.md) and ![b](x.png#top) [c]()"), ["docs/a.md", "x.png"]);
}
