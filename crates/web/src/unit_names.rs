//! Units by name: pages and printed forms show 东山街道 and 越秀区, not 440104011. The names are
//! read once and kept; units are only ever added, so the copy is read again when their count
//! changes (a community added through the administration page or the command line).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use yuanzhu_storage::{Store, StoreError, units};

/// Unit names by code, as of the last count.
pub type Names = Arc<HashMap<String, String>>;

#[derive(Debug, Default)]
pub struct UnitNames {
    cached: Mutex<(i64, Names)>,
}

impl UnitNames {
    /// The current names: one `COUNT(*)` of a table of a few thousand rows, and a read of their
    /// names only when a unit was added since.
    pub async fn current(&self, store: &Store) -> Result<Names, StoreError> {
        let count = units::count(store).await?;
        {
            let cached = self.cached.lock().expect("unit names lock");
            if cached.0 == count && count > 0 {
                return Ok(cached.1.clone());
            }
        }
        let names: Names = Arc::new(units::names(store).await?);
        *self.cached.lock().expect("unit names lock") = (count, names.clone());
        Ok(names)
    }
}

/// A unit's name, or its code where no name is known.
pub fn name_of(names: &HashMap<String, String>, code: &str) -> String {
    names.get(code).cloned().unwrap_or_else(|| code.to_owned())
}

/// Where an office is, as a letterhead says it: the district, then the street and the community
/// below it (越秀区东山街道); the city is left out, every office being in it.
pub fn path_of(names: &HashMap<String, String>, code: &str) -> String {
    let mut out = String::new();
    for len in [6, 9, 12] {
        if code.len() >= len
            && let Some(name) = names.get(&code[..len])
        {
            out.push_str(name);
        }
    }
    if out.is_empty() { name_of(names, code) } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_office_is_named_by_its_district_and_street() {
        let names: HashMap<String, String> = [("4401", "广州市"), ("440104", "越秀区"), ("440104011", "东山街道")]
            .into_iter()
            .map(|(c, n)| (c.to_owned(), n.to_owned()))
            .collect();
        assert_eq!(path_of(&names, "440104011"), "越秀区东山街道");
        assert_eq!(path_of(&names, "440104"), "越秀区");
        assert_eq!(path_of(&names, "4401"), "广州市");
        assert_eq!(path_of(&names, "440104011009"), "越秀区东山街道");
        assert_eq!(name_of(&names, "440199"), "440199");
    }
}
