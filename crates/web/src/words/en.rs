//! The catalogue in English: keys as in [`super::zh`], in the same order.

pub(super) const WORDS: &[(&str, &str)] = &[
    // Shared by several capabilities.
    ("store_error", "{error}"),
    ("person_not_found", "id_number: no person with ID number {id_number} is registered"),
    ("actor_required", "actor: who did this must be recorded"),
    // Errors of the API and the pages themselves (`ApiError::said`).
    ("not_found", "not found"),
    ("unauthenticated", "sign in first"),
    ("forbidden", "your role does not allow this"),
    ("internal", "internal error, try again later"),
    ("invalid_body", "the request is wrong"),
    ("invalid_body.detail", "{detail}"),
    ("invalid_json", "{detail}"),
    ("bad_request", "bad request"),
    ("bad_request.detail", "{detail}"),
    ("method_not_allowed", "method not allowed"),
    ("too_large", "the request body is over the server's limit: split the file and send it in parts"),
    (
        "too_large.limit",
        "the request body is over the server's limit of {mib} MiB: split the file and send it in parts",
    ),
    ("unsupported_media_type.json", "the request's content type should be application/json"),
    ("unsupported_media_type.import", "an import is sent as text/csv or {xlsx}"),
    ("outside_jurisdiction.unit", "unit {unit} is outside your jurisdiction"),
    ("outside_jurisdiction.account_unit", "unit: unit {unit} is outside your jurisdiction"),
    ("outside_jurisdiction.transfer", "neither unit of the transfer is in your jurisdiction: one of them makes it"),
    ("transfer.withdraw_not_your_side", "only the side that proposed the transfer withdraws it"),
    ("transfer.decide_not_your_side", "the transfer waits for the other unit: its proposer does not decide it"),
    ("invalid_date.on", "on: `{text}` is not a date (YYYY-MM-DD)"),
    ("date_in_future.on", "on: {day} is after today ({today}); only what has happened can be recorded"),
    ("too_long", "{field}: too long ({max} characters at most)"),
    ("invalid_text", "{field}: contains control characters"),
    ("list_separator", "; "),
    // Revocations (article 6).
    (
        "revocation.version_conflict",
        "version: the proposal changed since it was read (version {expected} expected, {found} found): reload and \
         try again",
    ),
    ("revocation.proposal_not_found", "proposal: there is no revocation proposal {id}"),
    (
        "revocation.already_decided",
        "proposal: already {state} by {decided_by} on {decided_on}; it cannot be decided again",
    ),
    ("revocation.state.proposed", "proposed"),
    ("revocation.state.confirmed", "confirmed"),
    ("revocation.state.dismissed", "dismissed"),
    ("revocation.nothing_to_revoke", "reason: {id_number} holds no recognised status that `{reason}` ends"),
    ("revocation.unknown_policy", "policy: `{policy}` is not among the loaded policies; ask the system administrator"),
    (
        "revocation.household_reason",
        "reason: `family_member_employed` is proposed for the whole household from the member who found work, not \
         for one person",
    ),
    ("revocation.at_office_not_reached", "reached: when the person comes to the office or calls in, they are reached"),
    ("revocation.invalid_unit", "unit: `{prefix}` is not the start of a unit code (digits only)"),
    // Applications for recognition.
    (
        "application.person_not_found",
        "id_number: no person with ID number {id_number} is registered; register them first",
    ),
    ("application.not_found", "application_id: there is no application {application_id}"),
    (
        "application.already_recognised",
        "category: the person is recognised as `{category}` under `{policy}` since {since}",
    ),
    (
        "application.already_open",
        "category: application {application_id} for this category is still undecided; continue it",
    ),
    ("application.invalid_unit", "unit: `{prefix}` is not a unit code or the start of one (up to 12 digits)"),
    (
        "application.policy_superseded",
        "category: on {received_on}, the day the application was received, `{current}` was in force, not `{policy}`; \
         apply again under `{current}`",
    ),
    (
        "application.no_policy_in_force",
        "category: no policy was in force on {received_on}, the day the application was received; `{policy}` cannot \
         recognise",
    ),
    (
        "application.rules_not_met",
        "category: under {document} ({policy}), as of {received_on} (the day the application was received), the \
         person does not meet `{category}`: {unmet}",
    ),
    ("application.unmet_condition", "{condition} ({citation})"),
    (
        "application.version_conflict",
        "version: the application changed since it was read (version {expected} expected, {found} found): reload and \
         try again",
    ),
    // Work found and ended.
    ("employment.not_found", "employment_id: the person has no employment record {id}; choose the one that ended"),
    (
        "employment.below_working_age",
        "started_on: on {started_on} the person was under 16 (16 on {sixteenth}); work before 16 cannot be recorded \
         (Labour Law, article 15)",
    ),
    (
        "employment.overlaps",
        "started_on: work from {started_on} overlaps {other}; record the end of that work first (a last day before \
         {started_on}), or check the date",
    ),
    ("employment.other.at_until", "the work at `{employer}` from {from} to {until}"),
    ("employment.other.at_open", "the work at `{employer}` from {from}, still open"),
    ("employment.other.until", "the work from {from} to {until}"),
    ("employment.other.open", "the work from {from}, still open"),
    ("employment.already_ended", "employment_id: the work from {started_on} already ended on {ended_on}"),
    ("employment.ends_before_start", "ended_on: {ended_on} is before the work began ({started_on})"),
    // Accounts.
    ("account.username_taken", "username: this username is already taken"),
    ("account.invalid_username", "username: use 1 to 64 characters of a-z, 0-9, `.`, `_` and `-`"),
    ("account.unknown_unit", "unit: there is no unit `{unit}`"),
    ("account.role_does_not_fit_unit", "role: the role `{role}` cannot be given at unit `{unit}`"),
    ("account.not_found", "username: there is no account `{username}`"),
    ("account.not_a_social_worker", "username: the account `{username}` is not a social worker"),
    // Joining a household.
    (
        "join.version_conflict",
        "version: the request changed since it was read (version {expected}, now {found}): reload",
    ),
    ("join.not_found", "join: there is no household join {id}"),
    ("join.already_decided", "join: already {state} by {decided_by} on {decided_on}"),
    ("join.state.pending", "pending"),
    ("join.state.accepted", "accepted"),
    ("join.state.refused", "refused"),
    (
        "join.no_longer_claimed",
        "join: the person's record no longer names household {household}; there is nothing to accept",
    ),
    ("join.reason_required", "reason: say why the join is refused"),
];
