//! What the search index holds of a person (migrations 0022, 0023). The parts of the name, each the
//! name from its second character or a later one, are rows of `person_name_parts`, which every
//! write of a person writes in the same transaction: through [`NameParts::of`] for new persons
//! and [`reindex`] for stored ones (migration 0022 wrote them for the persons before it, with SQL
//! that gives the same rows: tested). The last four characters of phone and ID numbers are
//! indexes of `persons` on an expression ([`PHONE_LAST4`], [`ID_LAST4`], migration 0023), which the
//! engines keep themselves.

use sqlx::{Database, Executor, Row};

use crate::StoreError;
use crate::persons::PersonRecord;

/// The table and its columns, in the order [`NamePart`] gives values.
pub(crate) const NAME_PARTS: &str = "person_name_parts (part, name, birth_date, id_number)";

/// The last character (counted from 1) a part starts at: a fragment further into a name is not
/// found, which only a name of more than 100 characters has.
pub(crate) const LAST_START: usize = 100;
/// The most characters of a part: a longer fragment is not looked up as a part.
pub(crate) const PART_LEN: usize = 32;

/// The last four digits of a phone number (of 10 to 12), as migration 0023 indexes them: a
/// query is served by the index only where it repeats the expression exactly (tested).
pub(crate) const PHONE_LAST4: &str = "substr(p.phone, length(p.phone) - 3)";
/// The last four characters of an ID number (of 18), the same way.
pub(crate) const ID_LAST4: &str = "substr(p.id_number, 15)";

/// One row of `person_name_parts`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NamePart<'a> {
    pub part: String,
    pub name: &'a str,
    pub birth_date: &'a str,
    pub id_number: &'a str,
}

/// The rows of `person_name_parts` of some persons.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct NameParts<'a>(pub Vec<NamePart<'a>>);

impl<'a> NameParts<'a> {
    pub(crate) fn of(records: impl IntoIterator<Item = &'a PersonRecord>) -> NameParts<'a> {
        let mut rows = NameParts::default();
        for r in records {
            rows.add(&r.name, &r.birth_date, &r.id_number);
        }
        rows
    }

    fn add(&mut self, name: &'a str, birth_date: &'a str, id_number: &'a str) {
        for part in name_parts(name) {
            self.0.push(NamePart { part, name, birth_date, id_number });
        }
    }
}

/// The parts of a name, each once: from every character from the second to the
/// [`LAST_START`]th that leaves at least two, at most [`PART_LEN`] characters.
pub(crate) fn name_parts(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut parts: Vec<String> = (1..chars.len().saturating_sub(1).min(LAST_START))
        .map(|start| chars[start..chars.len().min(start + PART_LEN)].iter().collect())
        .collect();
    parts.sort_unstable();
    parts.dedup();
    parts
}

/// What [`reindex`] does with a row.
enum Change {
    Delete,
    Insert,
}

/// Keeps the parts of stored persons' names right when their records are about to change to
/// `updated` (person ID, new record): the rows of each record as stored go, those of the new one
/// come. Called before the persons' rows are updated, in the same transaction. Nothing is
/// written for a person whose name and birth date stay (an ID number never changes).
pub(crate) async fn reindex<DB>(conn: &mut DB::Connection, updated: &[(&str, &PersonRecord)]) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'r> &'r str: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
    &'static str: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    for &(id, r) in updated {
        let stored = sqlx::query::<DB>("SELECT name, birth_date, id_number FROM persons WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        let (name, birth_date, id_number): (String, String, String) =
            (stored.try_get("name")?, stored.try_get("birth_date")?, stored.try_get("id_number")?);
        if name == r.name && birth_date == r.birth_date {
            continue;
        }
        let mut before = NameParts::default();
        before.add(&name, &birth_date, &id_number);
        let after = NameParts::of([r]);
        // Gathered first: an iterator of closures held across an await would make the future
        // not `Send` for every lifetime, which a server's handlers must be.
        let mut changes: Vec<(&NamePart<'_>, Change)> = Vec::new();
        changes.extend(before.0.iter().filter(|p| !after.0.contains(p)).map(|p| (p, Change::Delete)));
        changes.extend(after.0.iter().filter(|p| !before.0.contains(p)).map(|p| (p, Change::Insert)));
        for (p, change) in changes {
            let sql = match change {
                Change::Delete => {
                    "DELETE FROM person_name_parts WHERE part = $1 AND name = $2 AND birth_date = $3 AND id_number = $4"
                }
                Change::Insert => {
                    "INSERT INTO person_name_parts (part, name, birth_date, id_number) VALUES ($1, $2, $3, $4)"
                }
            };
            let query = sqlx::query::<DB>(sql).bind(p.part.as_str()).bind(p.name).bind(p.birth_date);
            query.bind(p.id_number).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_s_parts_start_at_each_later_character_and_keep_two() {
        assert_eq!(name_parts("黄明华"), ["明华"]);
        assert_eq!(name_parts("欧阳明华"), ["明华", "阳明华"]);
        assert!(name_parts("张三").is_empty(), "a two-character name is matched whole, by its own index");
        assert!(name_parts("李").is_empty());
        assert!(name_parts("").is_empty());
        // A repeated part is kept once.
        let long = "哈".repeat(40);
        assert_eq!(name_parts(&long), (2..=PART_LEN).map(|n| "哈".repeat(n)).collect::<Vec<_>>());
        // Parts start at the 100th character at the latest.
        let very_long: String = (0..300u32).map(|i| char::from_u32(0x4E00 + i).unwrap()).collect();
        let parts = name_parts(&very_long);
        assert_eq!(parts.len(), LAST_START - 1);
        assert!(parts.iter().all(|p| p.chars().count() == PART_LEN));
    }

    #[test]
    fn the_migration_indexes_numbers_by_the_expressions_searches_repeat() {
        const MIGRATION: &str = include_str!("../../migrations/0023_number_tails_by_index.sql");
        for expression in [PHONE_LAST4, ID_LAST4] {
            assert!(MIGRATION.contains(&format!("ON persons ({})", expression.replace("p.", ""))), "{expression}");
        }
    }
}
