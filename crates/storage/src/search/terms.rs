//! What the search index holds of a person (migration 0022): the parts of the name, each the
//! name from its second character or a later one, and the phone and ID numbers read from the
//! end. Every write of a person writes them in the same transaction, through [`Terms::of`] for
//! new persons and [`reindex`] for stored ones; the migration wrote them for the persons before
//! it, with SQL that gives the same rows (tested).

use sqlx::{AssertSqlSafe, Database, Executor, Row};

use crate::StoreError;
use crate::persons::PersonRecord;

/// The tables and columns, in the order [`Terms`] gives values.
pub(crate) const NAME_PARTS: &str = "person_name_parts (part, name, birth_date, id_number)";
pub(crate) const NUMBER_TAILS: &str = "person_number_tails (kind, reversed, id_number)";

/// The last character (counted from 1) a part starts at: a fragment further into a name is not
/// found, which only a name of more than 100 characters has.
pub(crate) const LAST_START: usize = 100;
/// The most characters of a part: a longer fragment is not looked up as a part.
pub(crate) const PART_LEN: usize = 32;
/// The most characters of a number kept, read from the end: more than any tail looked up.
const TAIL_LEN: usize = 18;

/// A number's kind in `person_number_tails`.
pub(crate) const PHONE: &str = "phone";
pub(crate) const ID: &str = "id";

/// One row of `person_name_parts`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NamePart<'a> {
    pub part: String,
    pub name: &'a str,
    pub birth_date: &'a str,
    pub id_number: &'a str,
}

/// One row of `person_number_tails`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NumberTail<'a> {
    pub kind: &'static str,
    pub reversed: String,
    pub id_number: &'a str,
}

/// The index rows of some persons.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Terms<'a> {
    pub parts: Vec<NamePart<'a>>,
    pub tails: Vec<NumberTail<'a>>,
}

impl<'a> Terms<'a> {
    pub(crate) fn of(records: impl IntoIterator<Item = &'a PersonRecord>) -> Terms<'a> {
        let mut terms = Terms::default();
        for r in records {
            terms.add(&r.name, &r.birth_date, r.phone.as_deref(), &r.id_number);
        }
        terms
    }

    fn add(&mut self, name: &'a str, birth_date: &'a str, phone: Option<&'a str>, id_number: &'a str) {
        for part in name_parts(name) {
            self.parts.push(NamePart { part, name, birth_date, id_number });
        }
        self.tails.push(NumberTail { kind: ID, reversed: reversed(id_number), id_number });
        if let Some(phone) = phone.filter(|p| !p.is_empty()) {
            self.tails.push(NumberTail { kind: PHONE, reversed: reversed(phone), id_number });
        }
    }
}

/// What [`reindex`] does with a row.
enum Change {
    Delete,
    Insert,
}

impl Terms<'_> {
    /// Every row as its table and columns ([`NAME_PARTS`], [`NUMBER_TAILS`]) and its values.
    fn rows(&self) -> Vec<(&'static str, Vec<&str>)> {
        let parts = self.parts.iter().map(|p| (NAME_PARTS, vec![p.part.as_str(), p.name, p.birth_date, p.id_number]));
        let tails = self.tails.iter().map(|t| (NUMBER_TAILS, vec![t.kind, t.reversed.as_str(), t.id_number]));
        parts.chain(tails).collect()
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

/// The last [`TAIL_LEN`] characters of a number, last first.
pub(crate) fn reversed(number: &str) -> String {
    number.chars().rev().take(TAIL_LEN).collect()
}

/// Keeps the index rows of stored persons right when their records are about to change to
/// `updated` (person ID, new record): the rows of each record as stored go, those of the new one
/// come. Called before the persons' rows are updated, in the same transaction. Nothing is
/// written for a person whose name, birth date and phone stay (an ID number never changes).
pub(crate) async fn reindex<DB>(conn: &mut DB::Connection, updated: &[(&str, &PersonRecord)]) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'r> Option<String>: sqlx::Decode<'r, DB>,
    for<'r> &'r str: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
    &'static str: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    for &(id, r) in updated {
        let stored = sqlx::query::<DB>("SELECT name, birth_date, phone, id_number FROM persons WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        let (name, birth_date, phone, id_number): (String, String, Option<String>, String) = (
            stored.try_get("name")?,
            stored.try_get("birth_date")?,
            stored.try_get("phone")?,
            stored.try_get("id_number")?,
        );
        if name == r.name && birth_date == r.birth_date && phone == r.phone {
            continue;
        }
        let mut before = Terms::default();
        before.add(&name, &birth_date, phone.as_deref(), &id_number);
        let after = Terms::of([r]);
        let (before, after) = (before.rows(), after.rows());
        // Gathered first: an iterator of closures held across an await would make the future
        // not `Send` for every lifetime, which a server's handlers must be.
        let mut changes: Vec<(&(&str, Vec<&str>), Change)> = Vec::new();
        changes.extend(before.iter().filter(|row| !after.contains(row)).map(|row| (row, Change::Delete)));
        changes.extend(after.iter().filter(|row| !before.contains(row)).map(|row| (row, Change::Insert)));
        for ((table_columns, values), change) in changes {
            let (table, columns) = table_columns.split_once(' ').expect("a table and its columns");
            let columns: Vec<&str> = columns.trim_matches(|c| c == '(' || c == ')').split(", ").collect();
            let sql = match change {
                Change::Delete => {
                    let key = columns.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1));
                    format!("DELETE FROM {table} WHERE {}", key.collect::<Vec<_>>().join(" AND "))
                }
                Change::Insert => {
                    let params = (1..=columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                    format!("INSERT INTO {table_columns} VALUES ({params})")
                }
            };
            // Table and column names are this module's constants.
            let mut query = sqlx::query::<DB>(AssertSqlSafe(sql));
            for v in values {
                query = query.bind(*v);
            }
            query.execute(&mut *conn).await?;
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
    fn numbers_are_read_from_the_end() {
        assert_eq!(reversed("44010619750101123X"), "X32110105791601044");
        assert_eq!(reversed("13800138000"), "00083100831");
        assert_eq!(reversed("1234567890123456789012"), "210987654321098765");
    }
}
