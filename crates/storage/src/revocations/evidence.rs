//! Evidence: contact attempts and refusals, what the rules of 第六条 read.

// The module's imports and shared helpers (its errors, `blank`, the other sections' rows).
use super::*;

/// A contact attempt as stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactRecord {
    pub id: String,
    pub on: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub channel: ContactChannel,
    pub reached: bool,
    pub note: String,
    pub actor: String,
}

/// A refusal as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusalRecord {
    pub id: String,
    pub on: String,
    pub service: Service,
    pub note: String,
    pub actor: String,
}

pub(super) async fn person_id(conn: &mut AnyConnection, id_number: &str) -> Result<String, RevocationError> {
    sqlx::query_scalar::<_, String>("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| RevocationError::UnknownPerson(id_number.to_owned()))
}

/// Keeps on the person where their run of failed attempts starts and their latest attempt
/// (migration 0009, which fills them the same way), for [`about_to_become_unreachable`]. Worked
/// out again from all the person's attempts, so an attempt logged late, dated before others,
/// counts where it falls.
pub(super) const CONTACT_RUN: &str = "UPDATE persons SET \
     last_contact_on = (SELECT MAX(a.on_date) FROM contact_attempts a WHERE a.person_id = persons.id), \
     contact_run_from = (SELECT MIN(f.on_date) FROM contact_attempts f WHERE f.person_id = persons.id \
     AND f.reached = 0 AND f.on_date > COALESCE((SELECT MAX(s.on_date) FROM contact_attempts s \
     WHERE s.person_id = persons.id AND s.reached = 1), '')) WHERE id = $1";

/// Logs an attempt to reach the person. A blank note takes the channel's [`ContactChannel::default_note`].
pub async fn log_contact(
    store: &Store,
    id_number: &str,
    on: Date,
    channel: ContactChannel,
    reached: bool,
    note: &str,
    actor: &str,
) -> Result<ContactRecord, RevocationError> {
    if blank(actor) {
        return Err(RevocationError::EmptyActor);
    }
    if channel == ContactChannel::AtOffice && !reached {
        return Err(RevocationError::AtOfficeNotReached);
    }
    let note = if blank(note) { channel.default_note(reached) } else { note.trim() };
    let mut tx = store.begin_write().await?;
    let person = person_id(&mut tx, id_number).await?;
    // The person's row is locked before the attempt is read back into it: under PostgreSQL's read
    // committed, two attempts logged at once would otherwise each recompute without the other's.
    sqlx::query("UPDATE persons SET last_contact_on = last_contact_on WHERE id = $1")
        .bind(&person)
        .execute(&mut *tx)
        .await?;
    let record = ContactRecord {
        id: new_id(),
        on: on.to_string(),
        channel,
        reached,
        note: note.to_owned(),
        actor: actor.to_owned(),
    };
    sqlx::query(
        "INSERT INTO contact_attempts (id, person_id, on_date, channel, reached, note, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&record.id)
    .bind(&person)
    .bind(&record.on)
    .bind(channel.code())
    .bind(i64::from(reached))
    .bind(&record.note)
    .bind(actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    sqlx::query(CONTACT_RUN).bind(&person).execute(&mut *tx).await?;
    let after = serde_json::to_value(&record).expect("a record serialises");
    let event = NewEvent {
        actor,
        action: AuditAction::ContactLogged.code(),
        entity: "contact_attempt",
        entity_id: &record.id,
        person_id: Some(&person),
        after: Some(after),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(record)
}

/// Logs a refusal of a service (第六条第（二）项). The note says what was offered; it may be blank.
pub async fn log_refusal(
    store: &Store,
    id_number: &str,
    on: Date,
    service: Service,
    note: &str,
    actor: &str,
) -> Result<RefusalRecord, RevocationError> {
    if blank(actor) {
        return Err(RevocationError::EmptyActor);
    }
    let mut tx = store.begin_write().await?;
    let person = person_id(&mut tx, id_number).await?;
    let record = RefusalRecord {
        id: new_id(),
        on: on.to_string(),
        service,
        note: note.trim().to_owned(),
        actor: actor.to_owned(),
    };
    sqlx::query(
        "INSERT INTO refusals (id, person_id, on_date, service, note, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&record.id)
    .bind(&person)
    .bind(&record.on)
    .bind(service.code())
    .bind(&record.note)
    .bind(actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let after = serde_json::to_value(&record).expect("a record serialises");
    let event = NewEvent {
        actor,
        action: AuditAction::RefusalLogged.code(),
        entity: "refusal",
        entity_id: &record.id,
        person_id: Some(&person),
        after: Some(after),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(record)
}

/// A person's contact attempts, oldest first (for the file and the caseworker's screen).
pub async fn contacts(store: &Store, id_number: &str) -> Result<Vec<ContactRecord>, RevocationError> {
    let rows = sqlx::query(
        "SELECT a.id, a.on_date, a.channel, a.reached, a.note, a.actor FROM contact_attempts a \
         JOIN persons p ON p.id = a.person_id WHERE p.id_number = $1 ORDER BY a.on_date, a.id",
    )
    .bind(id_number)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let code: String = r.try_get("channel")?;
        out.push(ContactRecord {
            id: r.try_get("id")?,
            on: r.try_get("on_date")?,
            channel: ContactChannel::parse(&code).ok_or_else(|| corrupt(format_args!("contact channel `{code}`")))?,
            reached: r.try_get::<i64, _>("reached")? != 0,
            note: r.try_get("note")?,
            actor: r.try_get("actor")?,
        });
    }
    Ok(out)
}

/// `prefix%` for `LIKE`: unit codes are digits, so a prefix of digits matches exactly its subtree.
pub(super) fn unit_like(prefix: &str) -> Result<String, RevocationError> {
    if prefix.chars().all(|c| c.is_ascii_digit()) {
        Ok(format!("{prefix}%"))
    } else {
        Err(RevocationError::UnitPrefix(prefix.to_owned()))
    }
}

/// A person holding status under a policy that a reason ends.
#[derive(Debug, Clone)]
pub(super) struct Holder {
    pub(super) person_id: String,
    pub(super) id_number: String,
    pub(super) name: String,
    pub(super) residence_unit: String,
    pub(super) phone: Option<String>,
}

/// Persons with an active recognition under `policy`, recognised on or before `on`, that `reason`
/// ends ([`ends`]), living in the units under `like`. In ID-number order.
pub(super) async fn holders(
    store: &Store,
    policy: &Policy,
    reason: ExitReason,
    like: &str,
    on: Date,
) -> Result<Vec<Holder>, RevocationError> {
    let rows = sqlx::query(
        // Persons first: a street holds a few thousand of the million, while recognitions have no
        // index that narrows them to a unit. SQLite keeps a CROSS JOIN's order (without it, it
        // read every recognition: 0.5 s at 1M); PostgreSQL plans it like any join. The order by
        // ID number is an expression so that SQLite sorts the few rows found rather than walk
        // the whole ID-number index to avoid sorting (seconds at 1M).
        "SELECT p.id, p.id_number, p.name, p.residence_unit, p.phone, r.category FROM persons p \
         CROSS JOIN recognitions r WHERE p.id = r.person_id AND r.policy = $1 AND r.ended_on IS NULL \
         AND r.recognized_on <= $2 AND p.residence_unit LIKE $3 ORDER BY p.id_number || ''",
    )
    .bind(&policy.id)
    .bind(on.to_string())
    .bind(like)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<Holder> = Vec::new();
    for r in &rows {
        let category: String = r.try_get("category")?;
        let person_id: String = r.try_get("id")?;
        if !ends(policy, reason, &category) || out.last().is_some_and(|h| h.person_id == person_id) {
            continue;
        }
        out.push(holder_of(r)?);
    }
    Ok(out)
}

pub(super) fn holder_of(r: &sqlx::any::AnyRow) -> Result<Holder, StoreError> {
    Ok(Holder {
        person_id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        residence_unit: r.try_get("residence_unit")?,
        phone: r.try_get("phone")?,
    })
}

/// Over `persons p`, with `$2` the day asked about and `$4` the latest start of a run of failed
/// attempts that comes due in time: the persons whose run, as [`log_contact`] keeps it, started
/// early enough, and those with an attempt dated after the day, whom the kept run cannot speak
/// for. Registrations and decided proposals only move a run's start later, so nobody the rule
/// would put in the queue is left out; the rule itself then decides on these few.
pub(super) const MAY_COME_DUE: &str =
    "p.last_contact_on IS NOT NULL AND (p.contact_run_from <= $4 OR p.last_contact_on > $2)";

/// The holders in the units under `like` that lost contact ends under `policy`, with no open
/// lost-contact proposal, who [`MAY_COME_DUE`]; each with the day of the last decided lost-contact
/// proposal, up to which their evidence has been judged.
pub(super) async fn may_come_due(
    store: &Store,
    policy: &Policy,
    like: &str,
    on: Date,
    latest_start: Date,
) -> Result<Vec<(Holder, Option<Date>)>, RevocationError> {
    let reason = ExitReason::LostContact;
    // The candidates first, then their recognitions: one join let PostgreSQL, whose statistics did
    // not yet know the columns of migration 0009, scan every recognition to build a hash table
    // (74 ms at 1M for none to show); the candidates are few, and usually none.
    let candidates = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.id_number, p.name, p.residence_unit, p.phone FROM persons p \
         WHERE p.residence_unit LIKE $3 AND {}",
        MAY_COME_DUE.replace("$4", "$1")
    )))
    .bind(latest_start.to_string())
    .bind(on.to_string())
    .bind(like)
    .fetch_all(store.pool())
    .await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let holders: Vec<Holder> = candidates.iter().map(holder_of).collect::<Result<_, _>>()?;
    let mut ended_by_reason = HashSet::new();
    for chunk in holders.chunks(500) {
        let sql = format!(
            "SELECT person_id, category FROM recognitions WHERE policy = $1 AND ended_on IS NULL \
             AND recognized_on <= $2 AND person_id IN ({})",
            (3..chunk.len() + 3).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(&policy.id).bind(on.to_string());
        for h in chunk {
            query = query.bind(&h.person_id);
        }
        for r in query.fetch_all(store.pool()).await? {
            let category: String = r.try_get("category")?;
            if ends(policy, reason, &category) {
                ended_by_reason.insert(r.try_get::<String, _>("person_id")?);
            }
        }
    }
    let open = open_for(store, &policy.id, reason).await?;
    let judged = judged_until(store, &policy.id, reason).await?;
    Ok(holders
        .into_iter()
        .filter(|h| ended_by_reason.contains(&h.person_id) && !open.contains(&h.person_id))
        .map(|h| {
            let until = judged.get(&h.person_id).copied();
            (h, until)
        })
        .collect())
}

/// The persons with an open proposal for `reason` under `policy`.
pub(super) async fn open_for(
    store: &Store,
    policy: &str,
    reason: ExitReason,
) -> Result<HashSet<String>, RevocationError> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT person_id FROM revocation_proposals WHERE policy = $1 AND reason = $2 AND state = 'proposed'",
    )
    .bind(policy)
    .bind(reason.code())
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .collect())
}

/// For each person, the day of the last decided proposal for `reason` under `policy`: evidence
/// up to that day has been judged.
pub(super) async fn judged_until(
    store: &Store,
    policy: &str,
    reason: ExitReason,
) -> Result<HashMap<String, Date>, RevocationError> {
    let rows = sqlx::query(
        "SELECT person_id, MAX(proposed_on) AS until FROM revocation_proposals \
         WHERE policy = $1 AND reason = $2 AND state <> 'proposed' GROUP BY person_id",
    )
    .bind(policy)
    .bind(reason.code())
    .fetch_all(store.pool())
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let until: String = r.try_get("until")?;
        out.insert(r.try_get("person_id")?, date(&until)?);
    }
    Ok(out)
}

/// Contact attempts on or before `on` of persons holding status under `policy` in the units under
/// `like`, by person; with `latest_start`, only of those who [`MAY_COME_DUE`]. Each unemployment
/// registration counts as a successful contact: the person registered in person that day.
pub(super) async fn contact_evidence(
    store: &Store,
    policy: &str,
    like: &str,
    on: Date,
    latest_start: Option<Date>,
) -> Result<HashMap<String, Vec<ContactAttempt>>, RevocationError> {
    let holding = format!(
        "JOIN persons p ON p.id = x.person_id WHERE x.{{date}} <= $2 AND p.residence_unit LIKE $3{} \
         AND EXISTS (SELECT 1 FROM recognitions r WHERE r.person_id = x.person_id AND r.policy = $1 AND r.ended_on IS NULL)",
        if latest_start.is_some() { format!(" AND {MAY_COME_DUE}") } else { String::new() }
    );
    let query = |sql: String| {
        let q = sqlx::query(AssertSqlSafe(sql)).bind(policy).bind(on.to_string()).bind(like);
        match latest_start {
            Some(start) => q.bind(start.to_string()),
            None => q,
        }
    };
    let mut out: HashMap<String, Vec<ContactAttempt>> = HashMap::new();
    let attempts = format!(
        "SELECT x.person_id, x.on_date, x.channel, x.reached, x.note FROM contact_attempts x {}",
        holding.replace("{date}", "on_date")
    );
    for r in query(attempts).fetch_all(store.pool()).await? {
        let code: String = r.try_get("channel")?;
        out.entry(r.try_get("person_id")?).or_default().push(ContactAttempt {
            on: date(&r.try_get::<String, _>("on_date")?)?,
            channel: ContactChannel::parse(&code).ok_or_else(|| corrupt(format_args!("contact channel `{code}`")))?,
            reached: r.try_get::<i64, _>("reached")? != 0,
            note: r.try_get("note")?,
        });
    }
    let registrations = format!(
        "SELECT x.person_id, x.registered_on FROM unemployment_registrations x {}",
        holding.replace("{date}", "registered_on")
    );
    for r in query(registrations).fetch_all(store.pool()).await? {
        out.entry(r.try_get("person_id")?).or_default().push(ContactAttempt {
            on: date(&r.try_get::<String, _>("registered_on")?)?,
            channel: ContactChannel::AtOffice,
            reached: true,
            note: REGISTRATION_NOTE.to_owned(),
        });
    }
    Ok(out)
}

/// Refusals on or before `on` of persons holding status under `policy`, by person.
pub(super) async fn refusal_evidence(
    store: &Store,
    policy: &str,
    on: Date,
    only: Option<&str>,
) -> Result<HashMap<String, Vec<Refusal>>, RevocationError> {
    let rows = sqlx::query(
        "SELECT x.person_id, x.on_date, x.service FROM refusals x WHERE x.on_date <= $2 AND ($3 = '' OR x.person_id = $3) \
         AND EXISTS (SELECT 1 FROM recognitions r WHERE r.person_id = x.person_id AND r.policy = $1 AND r.ended_on IS NULL)",
    )
    .bind(policy)
    .bind(on.to_string())
    .bind(only.unwrap_or(""))
    .fetch_all(store.pool())
    .await?;
    let mut out: HashMap<String, Vec<Refusal>> = HashMap::new();
    for r in &rows {
        let code: String = r.try_get("service")?;
        out.entry(r.try_get("person_id")?).or_default().push(Refusal {
            on: date(&r.try_get::<String, _>("on_date")?)?,
            service: Service::parse(&code).ok_or_else(|| corrupt(format_args!("service `{code}`")))?,
        });
    }
    Ok(out)
}
