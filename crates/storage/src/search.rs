//! Finding a person, and what decides who may open their file (第十三条, 第十八条).
//!
//! A search is what the user typed, taken as an ID number, a phone number, the start or the end
//! of one, or a name or a part of one, looked up through an index, then limited to what the
//! user reaches; within a street, a community or a caseload, the other way round (`Read`,
//! [`names_within`]). At a million persons every branch must stay an index lookup or a range
//! scan, so prefixes are ranges (`col >= prefix AND col < next`), which any B-tree serves,
//! rather than `LIKE 'prefix%'`, which PostgreSQL serves from an index only under the C
//! collation. What a name holds is the start of one of its parts (a range again), and what a
//! number ends with is looked up by its last four characters ([`terms`], migrations 0022, 0023).
//! The ranges assume text compares by code point, as SQLite does and PostgreSQL does under `C` or
//! `C.UTF-8` (how the clusters are created); on a database of another collation, a prefix is a
//! `LIKE` instead, right but read without an index.
//!
//! What ranks first is what identifies a person best: a whole ID or phone number; then a name
//! itself, the names that start with what was typed, and the names that hold it further in; for
//! digits, the phone and ID numbers that end with them (the last four digits a caseworker reads
//! out) before the ID numbers that start with them (four digits of those are a district's
//! thousands). One more than the page is read, to say whether there are more.

use std::collections::{HashMap, HashSet};

use sqlx::{AssertSqlSafe, Row};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::PersonReach;
use yuanzhu_domain::registration::normalize_phone;
use yuanzhu_rules::IdNumber;

use crate::accounts::{escape_like, subtree_pattern, subtree_prefix};
use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Backend, Params, Store, StoreError, now};

pub(crate) mod terms;

/// Whom a search may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Persons whose unit of residence or of hukou lies under this unit code (or code prefix).
    Units(&'a str),
    /// Persons assigned to this account (a social worker's reach).
    AssignedTo(&'a str),
}

/// A person as a list of results shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    /// The record's own key: pages link to a file by it, so a list never carries an ID number.
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: Option<String>,
    pub residence_unit: String,
    /// Codes of the categories currently recognised, each once.
    pub categories: Vec<String>,
}

/// A page of hits, and whether more persons within the scope match than it shows (never a
/// count: counting every match of a surname would read them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub more: bool,
}

/// The most a search returns.
pub const MAX_LIMIT: u32 = 100;

/// What the query text is taken to be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    IdNumber(String),
    Phone(String),
    /// Four or more digits (an ID number's may end in X): how an ID number starts or ends, or
    /// how a phone number ends.
    Number(String),
    Name(String),
}

fn classify(q: &str) -> Option<Key> {
    let q = q.trim();
    // No name, number or phone holds a control character; PostgreSQL refuses a NUL in text.
    if q.is_empty() || q.chars().any(char::is_control) {
        return None;
    }
    // Numbers are read as people write them down, in groups.
    let compact: String = q.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if compact.is_empty() || !compact.bytes().all(|b| b.is_ascii_digit() || b == b'X' || b == b'x') {
        return Some(match normalize_phone(q) {
            Some(phone) => Key::Phone(phone),
            None => Key::Name(q.to_owned()),
        });
    }
    let number = compact.to_ascii_uppercase();
    let b = number.as_bytes();
    let digits = b.iter().all(u8::is_ascii_digit);
    Some(if b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit) {
        Key::IdNumber(number)
    } else if b.len() == 15
        && digits
        && let Ok(id) = IdNumber::parse_or_upgrade(&number)
    {
        Key::IdNumber(id.as_str().to_owned())
    } else if b.len() == 11 && digits && b[0] == b'1' {
        Key::Phone(number)
    } else if let Some(phone) = normalize_phone(&number) {
        Key::Phone(phone)
    } else if b.len() >= 4 {
        Key::Number(number)
    } else {
        Key::Name(q.to_owned())
    })
}

/// The numbers that can end with `number`: a phone number is all digits and has at most 12, an
/// ID number 18 characters whose last alone may be X. Each as the filter, over `$1` (the last
/// four characters) and `$2` (the whole tail), of the persons `p` whose number ends with it.
fn tail_filters(number: &str) -> Vec<String> {
    let (b, n) = (number.as_bytes(), number.len());
    let mut filters = Vec::new();
    if n < 12 && b.iter().all(u8::is_ascii_digit) {
        filters.push(format!(
            "({} = $1 AND length(p.phone) >= {n} AND substr(p.phone, length(p.phone) - {}) = $2)",
            terms::PHONE_LAST4,
            n - 1
        ));
    }
    if n < 18 && b.split_last().is_some_and(|(_, rest)| rest.iter().all(u8::is_ascii_digit)) {
        filters.push(format!("({} = $1 AND substr(p.id_number, {}) = $2)", terms::ID_LAST4, 19 - n));
    }
    filters
}

/// The least string above every string that starts with `prefix`, in code-point order: the
/// prefix with its last character incremented (dropping characters that cannot be).
fn upper_bound(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(c) = chars.pop() {
        let next = match c {
            '\u{D7FF}' => Some('\u{E000}'),
            c => char::from_u32(c as u32 + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only a prefix made wholly of U+10FFFF gets here; nothing sorts above it but itself extended.
    format!("{prefix}\u{10FFFF}")
}

/// The filter, over `$first…`, and its values, of the rows of `column` that start with `prefix`
/// (`and_itself`: and that equal it). Where text compares by code point, a range, which the
/// column's index serves. Under another collation a range could skip some matches (under ICU's
/// `zh`, 张三 does not sort between 张 and the character after it), so the prefix is a `LIKE`,
/// right whatever the order, though no index serves it.
fn prefix_filter(store: &Store, column: &str, prefix: String, and_itself: bool, first: usize) -> (String, Vec<String>) {
    let (a, b) = (first, first + 1);
    if store.code_point_order() {
        let op = if and_itself { ">=" } else { ">" };
        let upper = upper_bound(&prefix);
        return (format!("{column} {op} ${a} AND {column} < ${b}"), vec![prefix, upper]);
    }
    let like = format!("{column} LIKE ${a} ESCAPE '\\'");
    let pattern = format!("{}%", escape_like(&prefix));
    if and_itself { (like, vec![pattern]) } else { (format!("{like} AND {column} <> ${b}"), vec![pattern, prefix]) }
}

/// The filter, over `$at`, of the persons `p` within a unit's reach or assigned to an account,
/// and its value.
fn scope_filter(scope: &Scope<'_>, at: usize) -> (String, String) {
    match scope {
        Scope::Units(prefix) => (
            format!("(p.residence_unit LIKE ${at} ESCAPE '\\' OR p.hukou_unit LIKE ${at} ESCAPE '\\')"),
            subtree_pattern(prefix),
        ),
        Scope::AssignedTo(account) => (
            format!("p.id IN (SELECT a.person_id FROM assignments a WHERE a.account_id = ${at})"),
            (*account).to_owned(),
        ),
    }
}

const HIT_COLUMNS: &str = "p.id, p.id_number, p.name, p.sex, p.birth_date, p.phone, p.residence_unit";
/// [`HIT_COLUMNS`] as a scope read first holds them.
const COLUMNS: &str = "id, id_number, name, sex, birth_date, phone, residence_unit";

/// A row of [`HIT_COLUMNS`], its categories still to be read.
fn hit(r: &sqlx::any::AnyRow) -> Result<Hit, sqlx::Error> {
    Ok(Hit {
        person_id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        sex: r.try_get("sex")?,
        birth_date: r.try_get("birth_date")?,
        phone: r.try_get("phone")?,
        residence_unit: r.try_get("residence_unit")?,
        categories: Vec::new(),
    })
}

/// The hits gathered so far, each person once, up to `want`.
struct Page {
    hits: Vec<Hit>,
    seen: HashSet<String>,
    want: usize,
}

impl Page {
    fn left(&self) -> usize {
        self.want - self.hits.len()
    }

    /// Adds the hits of the next rank that are not on the page yet, as many as fit.
    fn extend(&mut self, hits: impl IntoIterator<Item = Hit>) {
        for h in hits {
            if self.left() == 0 {
                return;
            }
            if self.seen.insert(h.person_id.clone()) {
                self.hits.push(h);
            }
        }
    }
}

/// Persons matching `q` within `scope`, at most `limit` (itself at most [`MAX_LIMIT`]): [`find`]
/// without saying whether there are more.
pub async fn search(store: &Store, q: &str, scope: Scope<'_>, limit: u32) -> Result<Vec<Hit>, StoreError> {
    Ok(find(store, q, scope, limit).await?.hits)
}

/// Persons matching `q` within `scope`, at most `limit` (itself at most [`MAX_LIMIT`]), and
/// whether more match. An 18-character or 15-digit ID number and a phone number match exactly.
/// Four or more digits (an ID number's may end in X) match the phone numbers and ID numbers that
/// end with them, then the ID numbers that start with them. Anything else is a name: the name
/// itself, then the names that start with it, then (from two characters) the names that hold it
/// further in, such as a given name. Within each rank the order is fixed: names, then birth
/// dates, then ID numbers; names holding the text, by what follows it first.
pub async fn find(store: &Store, q: &str, scope: Scope<'_>, limit: u32) -> Result<Found, StoreError> {
    let limit = limit.min(MAX_LIMIT) as usize;
    let Some(key) = classify(q) else { return Ok(Found::default()) };
    if limit == 0 {
        return Ok(Found::default());
    }
    let mut page = Page { hits: Vec::new(), seen: HashSet::new(), want: limit + 1 };
    // Each branch is ordered the way its index runs, so that the engine stops after the page
    // instead of sorting every match (a one-character surname matches tens of thousands).
    let read = Read::for_scope(store, &scope, &key);
    match key {
        Key::IdNumber(id) => {
            let id = [id];
            page.extend(
                hits_where(store, "p.id_number = $1", "p.id_number", &id, Read::ByKey, &scope, page.left()).await?,
            );
        }
        Key::Phone(phone) => {
            let order = "p.name, p.birth_date, p.id_number";
            page.extend(hits_where(store, "p.phone = $1", order, &[phone], Read::ByKey, &scope, page.left()).await?);
        }
        Key::Number(number) => {
            page.extend(tails(store, &number, &scope, page.left()).await?);
            if page.left() > 0 {
                // A person whose phone ends and whose ID number starts with the digits comes
                // again here: read as many more as came before.
                let (filter, values) = prefix_filter(store, "p.id_number", number, true, 1);
                let limit = page.left() + page.hits.len();
                page.extend(hits_where(store, &filter, "p.id_number", &values, read, &scope, limit).await?);
            }
        }
        Key::Name(name) if reads_scope(store, &scope) => {
            page.extend(names_within(store, &name, &scope, page.left()).await?);
        }
        Key::Name(name) => {
            let exact = std::slice::from_ref(&name);
            page.extend(
                hits_where(store, "p.name = $1", "p.birth_date, p.id_number", exact, read, &scope, page.left()).await?,
            );
            if page.left() > 0 {
                let (filter, values) = prefix_filter(store, "p.name", name.clone(), false, 1);
                let order = "p.name, p.birth_date, p.id_number";
                page.extend(hits_where(store, &filter, order, &values, read, &scope, page.left()).await?);
            }
            if page.left() > 0 && (2..=terms::PART_LEN).contains(&name.chars().count()) {
                page.extend(holding_by_parts(store, &name, &scope, page.left()).await?);
            }
        }
    }
    let more = page.left() == 0;
    let mut hits = page.hits;
    hits.truncate(limit);
    let ids: Vec<String> = hits.iter().map(|h| h.person_id.clone()).collect();
    let mut categories = open_categories(store, &ids).await?;
    for h in &mut hits {
        h.categories = categories.remove(&h.person_id).unwrap_or_default();
    }
    Ok(Found { hits, more })
}

/// Persons whose phone number or ID number ends with `number` (four characters or more), within
/// `scope`, ranked by name, birth date and ID number, at most `limit`. The last four characters
/// match about a hundred persons at 1M, so every match is read and ranked, for any scope.
async fn tails(store: &Store, number: &str, scope: &Scope<'_>, limit: usize) -> Result<Vec<Hit>, StoreError> {
    match tails_query(number, scope) {
        Some((sql, binds)) => fetch_hits(store, sql, &binds, limit).await,
        None => Ok(Vec::new()),
    }
}

/// [`tails`] as SQL over its binds (the limit comes last, as `$4`), or `None` when nothing can
/// end with `number`. The matches are read whole before they are ranked (`MATERIALIZED`): left
/// to choose, PostgreSQL walked the names in order, filtering a million persons for an ID tail
/// such as 123X, 2–3 s, whenever it guessed that thousands match, as it does of an index on an
/// expression until it has analysed the table.
fn tails_query(number: &str, scope: &Scope<'_>) -> Option<(String, [String; 3])> {
    let ends = tail_filters(number);
    if ends.is_empty() {
        return None;
    }
    let (within, scope_value) = scope_filter(scope, 3);
    let binds = [number[number.len() - 4..].to_owned(), number.to_owned(), scope_value];
    let sql = format!(
        "WITH matches AS MATERIALIZED (SELECT {HIT_COLUMNS} FROM persons p WHERE ({}) AND {within}) \
         SELECT {COLUMNS} FROM matches ORDER BY name, birth_date, id_number LIMIT $4",
        ends.join(" OR ")
    );
    Some((sql, binds))
}

/// Whether a name is looked for by reading every person within the scope: a street's (about
/// 5,000 at 1M) or a community's, or a social worker's caseload. Elsewhere (a district, the
/// city) through the names' indexes, in their order, until the page is full.
fn reads_scope(store: &Store, scope: &Scope<'_>) -> bool {
    match scope {
        Scope::AssignedTo(_) => true,
        Scope::Units(prefix) => store.code_point_order() && subtree_prefix(prefix).len() >= 9,
    }
}

/// Persons whose name holds `fragment` from its second character on (and does not start with
/// it: those rank higher), within `scope`, at most `limit`, ranked by the name from the fragment
/// on (the least such part, should it occur twice), then name, birth date and ID number; read
/// through the index of parts. Each of its rows is a person's name from one character on, so a
/// person whose name holds the fragment twice comes twice, and the page is read again, longer,
/// should that leave it short.
async fn holding_by_parts(
    store: &Store,
    fragment: &str,
    scope: &Scope<'_>,
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    let (parts, mut binds) = prefix_filter(store, "t.part", fragment.to_owned(), true, 1);
    // The same values: a name that starts with the fragment.
    let (starts, _) = prefix_filter(store, "t.name", fragment.to_owned(), true, 1);
    let (within, scope_value) = scope_filter(scope, binds.len() + 1);
    binds.push(scope_value);
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM person_name_parts t JOIN persons p ON p.id_number = t.id_number \
         WHERE {parts} AND NOT ({starts}) AND {within} \
         ORDER BY t.part, t.name, t.birth_date, t.id_number LIMIT ${}",
        binds.len() + 1
    );
    let mut read = limit;
    loop {
        let rows = fetch_hits(store, sql.clone(), &binds, read).await?;
        let complete = rows.len() < read;
        let mut seen = HashSet::new();
        let hits: Vec<Hit> = rows.into_iter().filter(|h| seen.insert(h.person_id.clone())).take(limit).collect();
        if complete || hits.len() == limit {
            return Ok(hits);
        }
        read *= 2;
    }
}

/// A name searched by reading the scope's persons ([`reads_scope`]): the entries of
/// [`SCOPE_INDEX`], which carries name, birth date and ID number, and those whose hukou is in
/// the scope, matched on the name where it counts (its start; from two characters, anywhere a
/// part starts too), then ranked here as [`find`] says, and only the page's persons read whole.
/// One read of the street for all three ranks: each read of a street's 5,000 entries took
/// PostgreSQL 3–10 ms, and it visits no person's row for it.
async fn names_within(store: &Store, name: &str, scope: &Scope<'_>, limit: usize) -> Result<Vec<Hit>, StoreError> {
    let len = name.chars().count();
    let holds = if (2..=terms::PART_LEN).contains(&len) {
        let position = match store.backend() {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        };
        // The characters in which the name may start at the latest part's start.
        format!("{position}(substr(p.name, 1, {}), $1) > 0", terms::LAST_START - 1 + len)
    } else {
        format!("substr(p.name, 1, {len}) = $1")
    };
    const CARRIED: &str = "p.name, p.birth_date, p.id_number";
    let (sql, binds) = match scope {
        Scope::AssignedTo(_) => {
            let (within, account) = scope_filter(scope, 2);
            (format!("SELECT {CARRIED} FROM persons p WHERE {within} AND {holds}"), vec![account])
        }
        Scope::Units(prefix) => {
            let prefix = subtree_prefix(prefix);
            let lives = "p.residence_unit >= $2 AND p.residence_unit < $3";
            let (by_unit, by_hukou) = match store.backend() {
                Backend::Sqlite => (format!(" INDEXED BY {SCOPE_INDEX}"), " INDEXED BY persons_hukou_unit"),
                Backend::Postgres => (String::new(), ""),
            };
            let sql = format!(
                "SELECT {CARRIED} FROM persons p{by_unit} WHERE {lives} AND {holds} UNION ALL \
                 SELECT {CARRIED} FROM persons p{by_hukou} WHERE p.hukou_unit >= $2 AND p.hukou_unit < $3 \
                 AND NOT ({lives}) AND {holds}"
            );
            (sql, vec![prefix.to_owned(), upper_bound(prefix)])
        }
    };
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(name);
    for b in &binds {
        query = query.bind(b);
    }
    let mut ranked = Vec::new();
    for r in query.fetch_all(store.pool()).await? {
        let (found, birth_date, id_number): (String, String, String) =
            (r.try_get("name")?, r.try_get("birth_date")?, r.try_get("id_number")?);
        let rank = if found == name {
            (0, birth_date, id_number, String::new(), String::new())
        } else if found.starts_with(name) {
            (1, found, birth_date, id_number, String::new())
        } else if let Some(part) = (len >= 2).then(|| least_part_holding(&found, name)).flatten() {
            (2, part, found, birth_date, id_number)
        } else {
            continue;
        };
        ranked.push((rank, r.try_get::<String, _>("id_number")?));
    }
    ranked.sort_unstable();
    ranked.truncate(limit);
    let page: Vec<String> = ranked.into_iter().map(|(_, id)| id).collect();
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT {HIT_COLUMNS} FROM persons p WHERE p.id_number IN ({})", Params::Numbered.list(page.len()));
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in &page {
        query = query.bind(id);
    }
    let mut hits: HashMap<String, Hit> = HashMap::new();
    for r in query.fetch_all(store.pool()).await? {
        let h = hit(&r)?;
        hits.insert(h.id_number.clone(), h);
    }
    Ok(page.iter().filter_map(|id| hits.remove(id)).collect())
}

/// The least of the name's parts ([`terms::name_parts`]) that start with `fragment`, if the name
/// does not itself start with it: where the index of parts ranks the name.
fn least_part_holding(name: &str, fragment: &str) -> Option<String> {
    if name.starts_with(fragment) {
        return None;
    }
    terms::name_parts(name).into_iter().find(|p| p.starts_with(fragment))
}

/// The rows of `sql` (over `binds`, then the limit) as hits.
async fn fetch_hits(store: &Store, sql: String, binds: &[String], limit: usize) -> Result<Vec<Hit>, StoreError> {
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.bind(limit as i64).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(hit).collect::<Result<_, _>>()?)
}

/// The index a scope is read first by (migration 0014), named for SQLite, whose planner without
/// statistics would take the key's index or the bare unit range and look up every person.
const SCOPE_INDEX: &str = "persons_unit_name";

/// Where a search starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// The key's index, in its order, keeping the matches in scope until `limit` are found: right
    /// for a key that matches few persons, and for a scope that holds much of the registry.
    ByKey,
    /// The scope's entries of [`SCOPE_INDEX`], which leads with the unit and holds the ID
    /// number: a street holds about 1/176 of the city, and from the key's index the ID prefix
    /// 4401 walked most of its matches across the city to fill a page.
    ScopeFirst,
}

impl Read {
    /// For an ID number's prefix, which may match many persons, within `scope`. A community's
    /// code has twelve digits, a street's nine, a district's six. Ranges serve only where text
    /// compares by code point (SQLite; PostgreSQL under C or C.UTF-8, whose `LIKE` no index
    /// serves); elsewhere, by key, as before. (A name within a street is read by
    /// [`names_within`].)
    fn for_scope(store: &Store, scope: &Scope<'_>, key: &Key) -> Read {
        let Scope::Units(prefix) = scope else { return Read::ByKey };
        let scope = subtree_prefix(prefix);
        if !store.code_point_order() {
            return Read::ByKey;
        }
        match key {
            // An ID number starts with the code of the district of birth, where most live. So a
            // prefix within the district's own code finds its persons soon from the key's index,
            // but for any other the district's persons are a far stretch of the walk: they came
            // after the whole of 440103's in the walk of 4401 (250-300 ms).
            Key::Number(id) if scope.len() >= 9 || (scope.len() >= 6 && !id.starts_with(scope)) => Read::ScopeFirst,
            _ => Read::ByKey,
        }
    }
}

/// Persons matching `filter` (over `$1…`, on the columns of [`HIT_COLUMNS`]) within `scope`, in
/// `order`, at most `limit`.
async fn hits_where(
    store: &Store,
    filter: &str,
    order: &str,
    binds: &[String],
    read: Read,
    scope: &Scope<'_>,
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    let n = binds.len() + 1;
    let (sql, scope_values) = match (read, scope) {
        // A set the engine can build once from assignments_account: a social worker has a
        // caseload of dozens, while a short name prefix spans thousands of persons.
        (_, Scope::AssignedTo(account)) => (
            format!(
                "WITH p AS MATERIALIZED (SELECT {COLUMNS} FROM persons WHERE id IN \
                 (SELECT a.person_id FROM assignments a WHERE a.account_id = ${n})) \
                 SELECT {HIT_COLUMNS} FROM p WHERE {filter} ORDER BY {order} LIMIT ${}",
                n + 1
            ),
            vec![(*account).to_owned()],
        ),
        (Read::ByKey, Scope::Units(_)) => {
            let (within, value) = scope_filter(scope, n);
            (
                format!(
                    "SELECT {HIT_COLUMNS} FROM persons p WHERE {filter} AND {within} ORDER BY {order} LIMIT ${}",
                    n + 1
                ),
                vec![value],
            )
        }
        (Read::ScopeFirst, Scope::Units(prefix)) => {
            let prefix = subtree_prefix(prefix);
            let (lo, hi) = (format!("${n}"), format!("${}", n + 1));
            let lives = format!("p.residence_unit >= {lo} AND p.residence_unit < {hi}");
            // SQLite is told the indexes, and then matches the key on the index's entries as it
            // reads them; told them, it needs no fence, and ranks the matches as it reads them
            // instead of storing them first (a district's 90,000: 10 ms, not 35). PostgreSQL
            // chooses its own indexes, behind a fence.
            let (indexed_by, hukou_indexed_by, fence) = match store.backend() {
                Backend::Sqlite => (format!(" INDEXED BY {SCOPE_INDEX}"), " INDEXED BY persons_hukou_unit", ""),
                Backend::Postgres => (String::new(), "", " MATERIALIZED"),
            };
            // The scope's entries are matched and ranked, and only the page's persons are read
            // in full: a street's 5,000 persons all start with 4401. Behind the fence, the scope
            // is read by its own index: within an ORDER BY the key's index provides, PostgreSQL
            // walked that index instead, expecting the scope's persons evenly spread among the
            // key's matches, which an ID prefix's are not. A person whose hukou is in the scope
            // and who lives there is read once, by the first part.
            let sql = format!(
                "WITH m AS{fence} (\
                 SELECT p.id_number FROM persons p{indexed_by} WHERE {lives} AND {filter} \
                 UNION ALL SELECT p.id_number FROM persons p{hukou_indexed_by} \
                 WHERE p.hukou_unit >= {lo} AND p.hukou_unit < {hi} AND NOT ({lives}) AND {filter}), \
                 page AS MATERIALIZED (SELECT p.id_number FROM m p WHERE {filter} ORDER BY {order} LIMIT ${}) \
                 SELECT {HIT_COLUMNS} FROM persons p WHERE p.id_number IN (SELECT id_number FROM page) \
                 ORDER BY {order}",
                n + 2
            );
            (sql, vec![(*prefix).to_owned(), upper_bound(prefix)])
        }
    };
    let binds: Vec<String> = binds.iter().cloned().chain(scope_values).collect();
    fetch_hits(store, sql, &binds, limit).await
}

/// The open recognitions of all hits in one query, each category once, in the order granted.
async fn open_categories(store: &Store, person_ids: &[String]) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if person_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT person_id, category FROM recognitions WHERE ended_on IS NULL AND person_id IN ({}) \
         ORDER BY person_id, recognized_on, category",
        Params::Numbered.list(person_ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in person_ids {
        query = query.bind(id);
    }
    for r in query.fetch_all(store.pool()).await? {
        let list = out.entry(r.try_get("person_id")?).or_default();
        let category: String = r.try_get("category")?;
        if !list.contains(&category) {
            list.push(category);
        }
    }
    Ok(out)
}

/// Where a person belongs, for deciding whether a user reaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub person_id: String,
    pub residence_unit: UnitCode,
    pub hukou_unit: Option<UnitCode>,
    /// Whether the account asked about is assigned this person.
    pub assigned_to_user: bool,
}

impl Reach {
    /// As the rules of access take it: `user.reaches(Target::Person(reach.person()))`.
    pub fn person(&self) -> PersonReach<'_> {
        PersonReach {
            residence_unit: &self.residence_unit,
            hukou_unit: self.hukou_unit.as_ref(),
            assigned_to_user: self.assigned_to_user,
        }
    }
}

fn unit_code(text: String) -> Result<UnitCode, StoreError> {
    UnitCode::parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The person's units and whether `account_id` is assigned them, in one query; `None` if no
/// person has this ID number.
pub async fn reach(store: &Store, id_number: &str, account_id: &str) -> Result<Option<Reach>, StoreError> {
    let row = sqlx::query(
        "SELECT p.id, p.residence_unit, p.hukou_unit, \
         (SELECT COUNT(*) FROM assignments a WHERE a.person_id = p.id AND a.account_id = $2) AS assigned \
         FROM persons p WHERE p.id_number = $1",
    )
    .bind(id_number)
    .bind(account_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Reach {
        person_id: r.try_get("id")?,
        residence_unit: unit_code(r.try_get("residence_unit")?)?,
        hukou_unit: r.try_get::<Option<String>, _>("hukou_unit")?.map(unit_code).transpose()?,
        assigned_to_user: r.try_get::<i64, _>("assigned")? > 0,
    }))
}

/// [`reach`] for many persons at once, by ID number (unknown ones are left out): a queue checks
/// each row's reach with a few queries instead of one per row.
pub async fn reach_all(
    store: &Store,
    id_numbers: &[String],
    account_id: &str,
) -> Result<HashMap<String, Reach>, StoreError> {
    const CHUNK: usize = 500;
    let mut out = HashMap::with_capacity(id_numbers.len());
    for chunk in id_numbers.chunks(CHUNK) {
        let sql = format!(
            "SELECT p.id_number, p.id, p.residence_unit, p.hukou_unit, \
             (SELECT COUNT(*) FROM assignments a WHERE a.person_id = p.id AND a.account_id = $1) AS assigned \
             FROM persons p WHERE p.id_number IN ({})",
            (2..chunk.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(account_id);
        for id in chunk {
            query = query.bind(id);
        }
        for r in query.fetch_all(store.pool()).await? {
            let reach = Reach {
                person_id: r.try_get("id")?,
                residence_unit: unit_code(r.try_get("residence_unit")?)?,
                hukou_unit: r.try_get::<Option<String>, _>("hukou_unit")?.map(unit_code).transpose()?,
                assigned_to_user: r.try_get::<i64, _>("assigned")? > 0,
            };
            out.insert(r.try_get("id_number")?, reach);
        }
    }
    Ok(out)
}

async fn person_id(conn: &mut sqlx::AnyConnection, id_number: &str) -> Result<String, StoreError> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?;
    id.ok_or_else(|| StoreError::NotFound(format!("no person with ID number {id_number} is registered")))
}

/// The ID number of the person with this record key, if any.
pub async fn id_number_of(store: &Store, person_id: &str) -> Result<Option<String>, StoreError> {
    let id = sqlx::query_scalar("SELECT id_number FROM persons WHERE id = $1").bind(person_id);
    Ok(id.fetch_optional(store.pool()).await?)
}

/// Records that `actor` opened the person's file: who looked at whom, and when, is part of the
/// trail like any change. A server records through its [`crate::views::ViewLog`] instead.
pub async fn record_view(store: &Store, id_number: &str, actor: &str) -> Result<(), StoreError> {
    let person_id = person_id(&mut *store.pool().acquire().await?, id_number).await?;
    crate::views::record(store, &[crate::views::View { person_id, actor: actor.to_owned() }]).await
}

/// Sets or clears the unit of hukou, through which that unit also reaches the person. Setting the
/// value it already has changes nothing.
pub async fn set_hukou_unit(
    store: &Store,
    id_number: &str,
    unit: Option<&UnitCode>,
    actor: &str,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let id = person_id(&mut tx, id_number).await?;
    if let Some(u) = unit {
        let known: Option<String> = sqlx::query_scalar("SELECT code FROM units WHERE code = $1")
            .bind(u.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("there is no unit {u}")));
        }
    }
    let before: Option<String> =
        sqlx::query_scalar("SELECT hukou_unit FROM persons WHERE id = $1").bind(&id).fetch_one(&mut *tx).await?;
    let after = unit.map(|u| u.as_str().to_owned());
    if before == after {
        return Ok(());
    }
    sqlx::query("UPDATE persons SET hukou_unit = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(&after)
        .bind(now())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::PersonHukouUnitSet.code(),
            entity: "person",
            entity_id: &id,
            person_id: Some(&id),
            before: Some(serde_json::json!({ "hukou_unit": before })),
            after: Some(serde_json::json!({ "hukou_unit": after })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_query_text_decides_the_key() {
        let k = |q: &str| classify(q);
        assert_eq!(k("  "), None);
        assert_eq!(k(" 44010619750101123x "), Some(Key::IdNumber("44010619750101123X".into())));
        // 440106 750101 123 → 440106 19 750101 123 + check character.
        assert_eq!(k("440106750101123"), Some(Key::IdNumber("440106197501011232".into())));
        assert_eq!(k("13800138000"), Some(Key::Phone("13800138000".into())));
        assert_eq!(k("+86 138-0013-8000"), Some(Key::Phone("13800138000".into())));
        assert_eq!(k("4401061975"), Some(Key::Number("4401061975".into())));
        assert_eq!(k("123x"), Some(Key::Number("123X".into())));
        assert_eq!(k("5678"), Some(Key::Number("5678".into())));
        assert_eq!(k(" 0115 "), Some(Key::Number("0115".into())));
        assert_eq!(k("0013-8000"), Some(Key::Number("00138000".into())));
        assert_eq!(k("440106 19750101 123x"), Some(Key::IdNumber("44010619750101123X".into())));
        assert_eq!(k("123"), Some(Key::Name("123".into())));
        assert_eq!(k("张三"), Some(Key::Name("张三".into())));
        assert_eq!(k("测试"), Some(Key::Name("测试".into())));
    }

    /// PostgreSQL, told that sorting costs the earth (as it believes when it guesses thousands of
    /// matches), still reads a tail's matches by the tails' index and ranks them, instead of
    /// walking every person in name order.
    #[tokio::test]
    async fn a_tail_is_read_by_its_index_whatever_the_planner_guesses_of_the_order() {
        let Some(pg) = yuanzhu_test_support::shared() else { return };
        let name = format!("tails_plan_{}", std::process::id());
        let store = Store::connect(&pg.create_database(&name)).await.unwrap();
        store.init().await.unwrap();
        for (number, scope) in [("123X", Scope::Units("4401")), ("5678", Scope::Units("440104011"))] {
            let (sql, [last4, tail, within]) = tails_query(number, &scope).unwrap();
            let mut conn = store.pool().acquire().await.unwrap();
            sqlx::raw_sql("SET enable_sort = off; DEALLOCATE ALL").execute(&mut *conn).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(format!("PREPARE tails (text, text, text, bigint) AS {sql}")))
                .execute(&mut *conn)
                .await
                .unwrap();
            // The test's own values.
            let explain = format!("EXPLAIN EXECUTE tails ('{last4}', '{tail}', '{within}', 51)");
            let plan: Vec<String> = sqlx::query(AssertSqlSafe(explain))
                .fetch_all(&mut *conn)
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String, _>(0).unwrap())
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains("_last4"), "{number}: {plan}");
            assert!(!plan.contains("persons_name"), "{number}: {plan}");
            sqlx::raw_sql("DEALLOCATE ALL; RESET enable_sort").execute(&mut *conn).await.unwrap();
        }
    }

    #[test]
    fn a_phone_ends_in_digits_and_an_id_number_in_digits_or_x() {
        let kinds = |number: &str| {
            tail_filters(number).iter().map(|f| if f.contains("p.phone") { "phone" } else { "id" }).collect::<Vec<_>>()
        };
        assert_eq!(kinds("5678"), ["phone", "id"]);
        assert_eq!(kinds("12345678901"), ["phone", "id"]);
        assert_eq!(kinds("123X"), ["id"]);
        assert!(kinds("12X4").is_empty());
        assert_eq!(kinds("0619750101123"), ["id"]);
        assert_eq!(kinds("44010619750101123"), ["id"]);
    }

    #[test]
    fn a_name_ranks_by_its_least_part_that_starts_with_the_fragment() {
        assert_eq!(least_part_holding("甲测试", "测试").as_deref(), Some("测试"));
        assert_eq!(least_part_holding("测试", "测试"), None, "the name itself ranks higher");
        assert_eq!(least_part_holding("测试甲测试", "测试"), None, "names that start with it rank higher");
        assert_eq!(least_part_holding("甲测试乙测试", "测试").as_deref(), Some("测试"));
        assert_eq!(least_part_holding("黄明华", "明").as_deref(), Some("明华"));
        assert_eq!(least_part_holding("黄明华", "黄明"), None);
        assert_eq!(least_part_holding("黄明华", "华"), None, "a part keeps two characters");
    }

    proptest! {
        #[test]
        fn the_range_holds_exactly_the_strings_with_the_prefix(prefix in "\\PC{1,6}", other in "\\PC{0,8}") {
            let upper = upper_bound(&prefix);
            let extended = format!("{prefix}{other}");
            prop_assert!(prefix.as_str() <= extended.as_str() && extended < upper);
            let inside = prefix.as_str() <= other.as_str() && other < upper;
            prop_assert_eq!(inside, other.starts_with(&prefix));
        }
    }
}
