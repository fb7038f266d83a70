//! Files in and out: importing registrations (CSV or xlsx, exactly as `yuanzhu import` reads
//! them) into the caller's jurisdiction, and exporting the persons of that jurisdiction (a file
//! that imports back) and their ledgers.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::Action;
use yuanzhu_storage::duplicates;
use yuanzhu_storage::persons::{self, ImportSummary, Writer};

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody, lang_of};
use crate::service::transfer::*;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import)).routes(routes!(export_persons)).routes(routes!(export_ledgers_api))
}

/// Import registrations: the raw file as the body, `Content-Type: text/csv` or the xlsx type.
/// The columns are `yuanzhu import`'s (the contract's fields plus `name`, `phone`, `address`,
/// `residence_unit`, `registered_on`, `household_ref`, `relation`, and an optional `ref`).
///
/// A readable file always answers **200** with the report: every good row is imported, and every
/// bad row is listed in `rejected` with its row, field, code and message (in the caller's
/// language), including rows whose `residence_unit` lies outside the caller's jurisdiction, or
/// whose ID number belongs to a person on file outside it (`outside_jurisdiction`, in the same
/// words for both), which are not imported. A column the file lacks leaves that part of a known
/// person's record as it is, and an empty cell clears it; a row that would move a person to another
/// unit is refused (`transfer_required`). A file that cannot be read at all is 400 (not CSV or
/// xlsx), 413 (more rows than `import_max_rows`, or an xlsx that unpacks to more than
/// `import_max_unpacked_mib`), 415 (another content type) or 422 (its header is wrong).
#[utoipa::path(
    post, path = "/imports", tag = "transfer",
    request_body(content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "The report: good rows imported, bad rows listed", body = ImportReport),
        (status = 400, description = "The body cannot be read as CSV or xlsx", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 413, description = "More than an import takes: too many rows, or an xlsx that unpacks too large", body = ErrorBody),
        (status = 415, description = "Neither text/csv nor xlsx", body = ErrorBody),
        (status = 422, description = "The header is wrong: `field` names the column", body = ErrorBody),
    )
)]
async fn import(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    user.require(Action::Register)?;
    let lang = lang_of(headers.get(header::ACCEPT_LANGUAGE));
    let rows = read_body(&headers, &body, lang, state.clock().today(), state.config.xlsx_limits())?;
    let mut summary = ImportSummary::default();
    let mut good = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Ok(reg) if in_jurisdiction(&user, &reg) => good.push(reg),
            Ok(reg) => summary.rejected.push(outside(&reg, lang)),
            Err(e) => summary.rejected.push(e),
        }
    }
    let actor = &user.account.username;
    let mut duplicates_flagged = 0;
    if !good.is_empty() {
        let units = persons::unit_codes(&state.store).await?;
        crate::service::households::hold_joins(&state, &user, &good).await?;
        let writer = Writer { user: Some(&user.user), versioned: false };
        for batch in good.chunks(BATCH) {
            let policies = &state.policies;
            summary
                .absorb(persons::register_batch_as(&state.store, batch, &units, writer, actor, policies, lang).await?);
        }
        // Counted as the caller may see them: a pair with a person out of reach is not told.
        duplicates_flagged =
            crate::service::admin::flags_seen(&user.user, &duplicates::flag_new(&state.store, actor).await?);
    }
    summary.rejected.sort_by_key(|e| e.row);
    Ok(Json(ImportReport {
        created: summary.persons_created,
        updated: summary.persons_updated,
        unchanged: summary.persons_unchanged,
        registrations_recorded: summary.registrations_recorded,
        recognitions_granted: summary.recognitions_granted,
        duplicates_flagged,
        rejected: summary
            .rejected
            .into_iter()
            .map(|e| RejectedRow {
                row: e.row,
                reference: e.reference,
                field: e.field,
                code: e.code,
                message: e.message,
            })
            .collect(),
    }))
}

/// Export the persons of the caller's jurisdiction (unit of residence or of hukou), one row per
/// person, in the columns of an import (the file imports back): `id_number, name, phone, address,
/// residence_unit, registered_on` (the latest registration), `household_ref, relation`, the
/// contract's fields (facts `true`/`false`), then `categories`, the codes recognised now (joined
/// by `;`), which an import reads past. ID numbers are text (text cells in xlsx). Roles that do
/// not see identities get ID and phone numbers masked. Every export is recorded in the audit trail.
#[utoipa::path(
    get, path = "/export/persons", tag = "transfer",
    params(ExportQuery),
    responses(
        (status = 200, description = "An attachment", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Unknown `format`", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Too many persons for one xlsx worksheet: export as CSV", body = ErrorBody),
    )
)]
pub(crate) async fn export_persons(
    State(state): State<AppState>,
    user: AuthUser,
    headers: axum::http::HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let lang = crate::error::lang_of(headers.get(axum::http::header::ACCEPT_LANGUAGE));
    persons_file(&state, &user, &query, lang).await
}

/// Export the ledgers of the caller's jurisdiction (第十九条 一人一档、一帮扶一台帐): one row per
/// event of each person's file (`id_number, name, seq, at, actor, action, entity, policy,
/// summary`), by person then time, the summary in the `Accept-Language` language. Masked for roles
/// that do not see identities; recorded in the audit trail.
#[utoipa::path(
    get, path = "/export/ledgers", tag = "transfer",
    params(ExportQuery),
    responses(
        (status = 200, description = "An attachment", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Unknown `format`", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Too many events for one xlsx worksheet: export as CSV", body = ErrorBody),
    )
)]
async fn export_ledgers_api(
    State(state): State<AppState>,
    user: AuthUser,
    headers: axum::http::HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let lang = crate::error::lang_of(headers.get(axum::http::header::ACCEPT_LANGUAGE));
    export_ledgers(&state, &user, &query, lang).await
}
