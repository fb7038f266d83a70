//! Files in and out: importing registrations (CSV or xlsx, exactly as `yuanzhu import` reads
//! them) into the caller's jurisdiction, and exporting the persons of that jurisdiction (a file
//! that imports back) and their ledgers.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use yuanzhu_domain::access::{Action, Target, mask_id_number, mask_phone, role_allows};
use yuanzhu_domain::registration::{FileError, Registration, RowError, read_csv};
use yuanzhu_domain::xlsx::{XlsxError, XlsxLimits, read_xlsx_within};
use yuanzhu_rules::Lang;
use yuanzhu_storage::export::{self, FileFormat, Paged, TableWriter};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
/// The media type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Registrations per transaction, as `yuanzhu import` writes them.
pub(crate) const BATCH: usize = 1000;

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/// A row that was not imported, and why.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    /// The spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The row's `ref` column, if the file has one.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub field: Option<String>,
    pub code: String,
    /// In the caller's language (`Accept-Language`).
    pub message: String,
}

/// What an import did. Every good row is kept; every bad one is listed here.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Persons registered for the first time.
    pub created: u64,
    /// Known persons whose record changed.
    pub updated: u64,
    pub unchanged: u64,
    pub registrations_recorded: u64,
    /// Categories recognised automatically (第四条).
    pub recognitions_granted: u64,
    /// New possible duplicates (same name and birth date) waiting for a decision, both of whose
    /// persons are within the caller's jurisdiction.
    pub duplicates_flagged: u64,
    /// By row number.
    pub rejected: Vec<RejectedRow>,
}

pub(crate) fn file_error(e: &FileError) -> ApiError {
    let (code, field, zh): (&'static str, Option<String>, String) = match e {
        FileError::NoHeader => ("no_header", None, "文件没有表头行".to_owned()),
        FileError::UnknownColumn(c) => {
            ("unknown_column", Some(c.clone()), format!("未知列“{c}”：既不是评估字段也不是登记列"))
        }
        FileError::DuplicateColumn(c) => ("duplicate_column", Some(c.clone()), format!("列“{c}”出现了两次")),
        FileError::MissingColumn(c) => (
            "missing_column",
            Some((*c).to_owned()),
            format!("缺少必需的列：{}（{c}）", yuanzhu_domain::registration::column_name(c, Lang::Zh)),
        ),
        FileError::AsOf => (
            "as_of_not_allowed",
            Some("as_of".to_owned()),
            "登记文件不应有 as_of 列：事实以 registered_on 为准".to_owned(),
        ),
        FileError::Csv(detail) => ("invalid_csv", None, format!("文件无法按 CSV 读取：{detail}")),
    };
    let status =
        if matches!(e, FileError::Csv(_)) { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY };
    let err = ApiError::new(status, code, zh, e.to_string());
    match field {
        Some(f) => err.field(f),
        None => err,
    }
}

/// The rows of the body, by its content type, within `limits` (see [`XlsxLimits`]; the row count
/// applies to CSV too).
pub(crate) fn read_body(
    headers: &HeaderMap,
    body: &[u8],
    lang: Lang,
    today: yuanzhu_rules::Date,
    limits: XlsxLimits,
) -> Result<Vec<Result<Registration, RowError>>, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "text/csv" | "application/csv" => {
            let rows = read_csv(body, today, lang).map_err(|e| file_error(&e))?;
            match rows.len() > limits.max_rows {
                true => Err(xlsx_error(XlsxError::TooManyRows { limit: limits.max_rows })),
                false => Ok(rows),
            }
        }
        XLSX => read_xlsx_within(body, today, lang, limits).map_err(xlsx_error),
        _ => Err(ApiError::said(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "unsupported_media_type.import",
            &[("xlsx", &XLSX)],
        )
        .field("Content-Type")),
    }
}

/// A file refused whole: unreadable (400), its header wrong (422), or more than an import takes
/// (413, naming the limit).
pub(crate) fn xlsx_error(e: XlsxError) -> ApiError {
    let (status, code) = match &e {
        XlsxError::File(e) => return file_error(e),
        XlsxError::Workbook(_) => (StatusCode::BAD_REQUEST, "invalid_xlsx"),
        XlsxError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"),
        XlsxError::TooManyRows { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_many_rows"),
    };
    ApiError::new(status, code, e.message(Lang::Zh), e.message(Lang::En)).field("file")
}

/// A row outside the caller's jurisdiction: its unit, or a person on file elsewhere (the same
/// words for both, so that a row does not tell whether an ID number is registered elsewhere).
pub(crate) fn outside(reg: &Registration, lang: Lang) -> RowError {
    RowError::outside_jurisdiction(reg, lang)
}

pub(crate) fn in_jurisdiction(user: &AuthUser, reg: &Registration) -> bool {
    user.user.reaches(Target::Unit(&reg.residence_unit))
        || crate::service::admin::covers(&user.user.unit, &reg.residence_unit)
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// The persons of the caller's jurisdiction as [`export_persons`] gives them, the header in
/// `lang` (Chinese names in Chinese, the field names in English; an import reads either).
pub(crate) async fn persons_file(
    state: &AppState,
    user: &AuthUser,
    query: &ExportQuery,
    lang: Lang,
) -> Result<Response, ApiError> {
    user.require(Action::Export)?;
    let format = export_format(query)?;
    let Some(prefix) = user.user.unit_prefix() else { return Err(ApiError::forbidden()) };
    let masked = !role_allows(user.user.role, Action::ViewIdentity);
    let pages = export::persons(&state.store, Some(prefix)).await?;
    let (bytes, rows) = export_table(pages, format, lang, |r| {
        if masked {
            r.id_number = mask_id_number(&r.id_number);
            r.phone = r.phone.as_deref().map(mask_phone);
        }
    })
    .await?;
    attachment(state, user, prefix, "persons", format, rows, bytes).await
}

/// The ledgers of the caller's jurisdiction (第十九条 一人一档): one row per event of each
/// person's file, by person then time, summaries in `lang`; masked as [`export_persons`] masks.
/// Offered by the UI's export page.
pub(crate) async fn export_ledgers(
    state: &AppState,
    user: &AuthUser,
    query: &ExportQuery,
    lang: Lang,
) -> Result<Response, ApiError> {
    user.require(Action::Export)?;
    let format = export_format(query)?;
    let Some(prefix) = user.user.unit_prefix() else { return Err(ApiError::forbidden()) };
    let masked = !role_allows(user.user.role, Action::ViewIdentity);
    // Without unit names a summary still names each unit, by its code.
    let units = state.unit_names.current(&state.store).await.unwrap_or_default();
    let words = crate::ui::Ctx::without_user(lang, state.policies.clone(), state.clock(), units);
    let pages = export::ledgers(&state.store, Some(prefix), crate::ui::timeline::summariser(words, masked)).await?;
    let (bytes, rows) = export_table(pages, format, lang, |r| {
        if masked {
            r.id_number = mask_id_number(&r.id_number);
        }
    })
    .await?;
    attachment(state, user, prefix, "ledgers", format, rows, bytes).await
}

pub(crate) fn export_format(query: &ExportQuery) -> Result<FileFormat, ApiError> {
    match query.format.as_deref().map(str::trim).unwrap_or("csv").to_ascii_lowercase().as_str() {
        "csv" => Ok(FileFormat::Csv),
        "xlsx" => Ok(FileFormat::Xlsx),
        other => Err(ApiError::bad_request(
            "invalid_format",
            Some("format"),
            format!("format（格式）：应为 csv 或 xlsx，收到“{other}”"),
            format!("format: csv or xlsx, got `{other}`"),
        )),
    }
}

/// Every page, each row passed through `mask`, as the bytes of one file; and how many rows.
pub(crate) async fn export_table<P: Paged>(
    mut pages: P,
    format: FileFormat,
    lang: Lang,
    mask: impl Fn(&mut P::Row),
) -> Result<(Vec<u8>, usize), ApiError> {
    let mut out = TableWriter::<_, P::Row>::new(format, Vec::new(), lang)?;
    while let Some(mut page) = pages.next_page().await? {
        if !out.fits(page.len()) {
            let most = export::XLSX_MAX_ROWS - 1;
            return Err(ApiError::unprocessable(
                "too_many_for_xlsx",
                Some("format"),
                format!("format（格式）：一个 xlsx 工作表最多容纳 {most} 行，此次导出更多，请导出为 CSV"),
                format!("format: an xlsx worksheet holds at most {most} rows and this export has more: export as CSV"),
            ));
        }
        page.iter_mut().for_each(&mask);
        out.write(&page)?;
    }
    let rows = out.rows();
    Ok((out.finish()?, rows))
}

/// Records the export in the audit trail and answers with the file as an attachment.
pub(crate) async fn attachment(
    state: &AppState,
    user: &AuthUser,
    prefix: &str,
    table: &str,
    format: FileFormat,
    rows: usize,
    bytes: Vec<u8>,
) -> Result<Response, ApiError> {
    let (extension, content_type) = match format {
        FileFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        FileFormat::Xlsx => ("xlsx", XLSX),
    };
    export::record_export(&state.store, &user.account.username, prefix, table, extension, rows).await?;
    let filename = format!("{table}-{prefix}-{}.{extension}", state.clock().today());
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")).map_err(ApiError::internal)?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}
