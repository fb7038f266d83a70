//! Files in and out from a browser: a bulk import (CSV or xlsx, the columns of `yuanzhu import`)
//! that runs in the background with a progress page and a per-row report, both kept in the
//! database (`yuanzhu_storage::import_jobs`) so that they outlive the server, and the export of the
//! persons of the user's jurisdiction and of their ledgers. The reading, the jurisdiction check and the export are the
//! API's own (`api::transfer`).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use yuanzhu_domain::access::{Action, User};
use yuanzhu_domain::registration::Registration;
use yuanzhu_domain::spreadsheet;
use yuanzhu_rules::Lang;
use yuanzhu_storage::duplicates;
use yuanzhu_storage::import_jobs::{self, ImportJob, JobCounts, JobState};
use yuanzhu_storage::persons::{self, ImportSummary, Writer};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::csrf_error;
use crate::error::ApiError;
use crate::service::transfer::{
    BATCH, ExportQuery, XLSX, export_ledgers, in_jurisdiction, outside, persons_file, read_body,
};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("import.title", "批量导入失业登记", "Bulk import of registrations"),
    ("import.file", "导入文件（CSV 或 xlsx）", "File (CSV or xlsx)"),
    (
        "import.hint",
        "列与 yuanzhu import 相同：评估字段加 name、phone、address、residence_unit、registered_on 等，可有 ref 列。居住地单位不在您管辖范围内的行不会导入。",
        "The columns of yuanzhu import: the assessment fields plus name, phone, address, residence_unit, registered_on and so on, and an optional ref. Rows whose unit of residence lies outside your jurisdiction are not imported.",
    ),
    ("import.start", "开始导入", "Start the import"),
    ("import.no_file", "请选择要导入的文件。", "Choose a file to import."),
    ("import.progress", "导入进度", "Import progress"),
    ("import.running", "正在导入，本页每秒自动刷新。", "Importing; this page refreshes itself every second."),
    ("import.rows_done", "已处理行数", "Rows done"),
    ("import.finished", "导入完成。", "The import has finished."),
    ("import.failed", "导入中断：", "The import stopped: "),
    (
        "import.interrupted",
        "导入因服务器停止而中断，未能完成。上面是中断时已处理的行数；其余的行没有导入，可再次导入同一文件完成（已导入的人员不会重复）。",
        "The import was interrupted: the server stopped before it finished. Above are the rows done when it stopped; the rest were not imported. Import the same file again to finish (persons already imported are not duplicated).",
    ),
    (
        "import.committed",
        "已处理的行按批次提交，已导入的数据不会丢失。",
        "Rows are committed batch by batch: what was imported is kept.",
    ),
    ("import.created", "新登记人员", "Persons registered"),
    ("import.updated", "信息有变更的人员", "Persons updated"),
    ("import.unchanged", "无变化的人员", "Persons unchanged"),
    ("import.registrations", "记录的失业登记", "Registrations recorded"),
    ("import.recognitions", "自动认定的类别", "Categories recognised"),
    ("import.duplicates", "疑似重复待核实", "Possible duplicates flagged"),
    ("import.rejected", "未导入的行", "Rows not imported"),
    ("import.report", "下载逐行报告（CSV）", "Download the per-row report (CSV)"),
    ("import.again", "再导入一个文件", "Import another file"),
    ("import.report.row", "行号", "row"),
    ("import.report.ref", "编号", "ref"),
    ("import.report.field", "字段", "field"),
    ("import.report.code", "代码", "code"),
    ("import.report.message", "说明", "message"),
    ("export.title", "导出人员名单", "Export persons"),
    (
        "export.hint",
        "导出您管辖范围内的人员（居住地或户籍地），每人一行；证件号以文本保存。每次导出均记入台账。",
        "Exports the persons of your jurisdiction (by residence or hukou), one row each; ID numbers are kept as text. Every export is recorded in the ledger.",
    ),
    ("export.xlsx", "下载 Excel（xlsx）", "Download Excel (xlsx)"),
    ("export.csv", "下载 CSV", "Download CSV"),
    ("export.ledgers_title", "导出台账", "Export ledgers"),
    (
        "export.ledgers_hint",
        "一人一档、一帮扶一台帐：您管辖范围内每人档案中的每条记录一行，按人员、再按时间排列。",
        "One file per person: a row for every event of each file in your jurisdiction, by person, then by time.",
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import", get(import_form).post(import_submit))
        .route("/import/{job}", get(progress_page))
        .route("/import/{job}/report.csv", get(report_csv))
        .route("/export", get(export_page))
        .route("/export/persons", get(export_download))
        .route("/export/ledgers", get(ledgers_download))
}

// ---------------------------------------------------------------------------------------------
// Import jobs
// ---------------------------------------------------------------------------------------------

/// Seconds between two heartbeats of a running job (see [`import_jobs::STALE_AFTER_SECONDS`]).
const HEARTBEAT_SECONDS: u64 = 5;

fn new_job_id() -> String {
    use rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The job if it is this user's (anyone else's is not found).
async fn job_of(state: &AppState, id: &str, account_id: &str) -> Result<ImportJob, ApiError> {
    if id.len() > 64 {
        return Err(ApiError::not_found());
    }
    import_jobs::get(&state.store, id, account_id).await?.ok_or_else(ApiError::not_found)
}

/// Imports the good rows batch by batch, each batch its own transaction, recording each batch in
/// the job as it commits, with a heartbeat meanwhile that tells a live job from an interrupted one.
async fn run(state: AppState, job: String, good: Vec<Registration>, user: User, lang: Lang) {
    let actor = user.username.clone();
    let beat = {
        let (store, job) = (state.store.clone(), job.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECONDS));
            loop {
                tick.tick().await;
                if let Err(e) = import_jobs::heartbeat(&store, &job).await {
                    tracing::warn!(error = %e, "import job heartbeat");
                }
            }
        })
    };
    let outcome: Result<u64, ApiError> = async {
        let units = persons::unit_codes(&state.store).await?;
        let writer = Writer { user: Some(&user), versioned: false };
        for batch in good.chunks(BATCH) {
            let s =
                persons::register_batch_as(&state.store, batch, &units, writer, &actor, &state.policies, lang).await?;
            import_jobs::batch_done(&state.store, &job, batch.len() as i64, counts(&s), &s.rejected).await?;
        }
        // Only the pairs whose persons the user both reaches are counted: a count must not tell
        // that a namesake is on file elsewhere.
        Ok(crate::service::admin::flags_seen(&user, &duplicates::flag_new(&state.store, &actor).await?))
    }
    .await;
    beat.abort();
    let (flagged, failure) = match outcome {
        Ok(flagged) => (flagged, None),
        Err(e) => (0, Some(if lang == Lang::Zh { e.zh } else { e.en })),
    };
    if let Err(e) = import_jobs::finish(&state.store, &job, flagged as i64, failure.as_deref()).await {
        // The heartbeat has stopped: the page will show the job as interrupted.
        tracing::error!(error = %e, job, "an import job's end could not be recorded");
    }
}

fn counts(s: &ImportSummary) -> JobCounts {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    JobCounts {
        created: n(s.persons_created),
        updated: n(s.persons_updated),
        unchanged: n(s.persons_unchanged),
        registrations: n(s.registrations_recorded),
        recognitions: n(s.recognitions_granted),
        duplicates: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Import pages
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    file_error: Option<String>,
}

async fn import_form(Page(ctx, user): Page) -> Result<Response, PageError> {
    user.require(Action::Register).or_page(&ctx)?;
    Ok(render(&ImportPage { ctx: &ctx, file_error: None }, StatusCode::OK))
}

/// The uploaded file's media type, by its name first (browsers send xlsx under several types).
fn media_of(filename: &str, sent: Option<&str>) -> &'static str {
    let name = filename.to_ascii_lowercase();
    if name.ends_with(".xlsx") || sent == Some(XLSX) { XLSX } else { "text/csv" }
}

async fn import_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    mut form: Multipart,
) -> Result<Response, PageError> {
    user.require(Action::Register).or_page(&ctx)?;
    let mut token = String::new();
    let mut file: Option<(&'static str, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(ctx.page_error(form_error(&e, state.config.max_body_mib))),
        };
        match field.name() {
            Some("csrf_token") => token = field.text().await.unwrap_or_default(),
            Some("file") => {
                let media = media_of(field.file_name().unwrap_or(""), field.content_type());
                match field.bytes().await {
                    Ok(bytes) if !bytes.is_empty() => file = Some((media, bytes.to_vec())),
                    Ok(_) => {}
                    Err(e) => return Err(ctx.page_error(form_error(&e, state.config.max_body_mib))),
                }
            }
            _ => {}
        }
    }
    if !form_token_ok(&ctx, &token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let refused = |message: String| Ok(render(&ImportPage { ctx: &ctx, file_error: Some(message) }, StatusCode::OK));
    let Some((media, bytes)) = file else { return refused(ctx.t("import.no_file").to_owned()) };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    let rows = match read_body(&headers, &bytes, ctx.lang, state.clock().today(), state.config.xlsx_limits()) {
        Ok(rows) => rows,
        Err(e) => {
            return refused(match ctx.lang {
                Lang::Zh => e.zh,
                Lang::En => e.en,
            });
        }
    };
    let total = rows.len() as i64;
    let mut good = Vec::with_capacity(rows.len());
    let mut rejected = Vec::new();
    for row in rows {
        match row {
            Ok(reg) if in_jurisdiction(&user, &reg) => good.push(reg),
            Ok(reg) => rejected.push(outside(&reg, ctx.lang)),
            Err(e) => rejected.push(e),
        }
    }
    // Claims to join households across units are held before any row is written.
    crate::service::households::hold_joins(&state, &user, &good).await.or_page(&ctx)?;
    let id = new_job_id();
    import_jobs::create(&state.store, &id, &user.account.id, total, &rejected).await.or_page(&ctx)?;
    tokio::spawn(run(state, id.clone(), good, user.user.clone(), ctx.lang));
    Ok(Redirect::to(&format!("/import/{id}")).into_response())
}

/// Why the uploaded form could not be read: too large (413), or malformed.
fn form_error(e: &axum::extract::multipart::MultipartError, limit_mib: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large(Some(limit_mib))
    } else {
        ApiError::bad_request("bad_form", None, e.body_text(), e.body_text())
    }
}

/// A job as its page shows it.
struct JobView {
    finished: bool,
    /// Its server stopped while it ran: what it did is kept, the rest was not imported.
    interrupted: bool,
    failed: Option<String>,
    total: i64,
    done: i64,
    summary: JobCounts,
    rejected: i64,
}

impl From<ImportJob> for JobView {
    fn from(job: ImportJob) -> JobView {
        JobView {
            finished: job.finished(),
            interrupted: job.state == JobState::Interrupted,
            failed: job.failure,
            total: job.total,
            done: job.done,
            summary: job.counts,
            rejected: job.rejected,
        }
    }
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressPage<'a> {
    ctx: &'a Ctx,
    id: String,
    job: JobView,
}

impl ProgressPage<'_> {
    fn done(&self) -> String {
        self.ctx.num(&self.job.done)
    }

    fn total(&self) -> String {
        self.ctx.num(&self.job.total)
    }

    fn rejected(&self) -> String {
        self.ctx.num(&self.job.rejected)
    }

    fn count(&self, n: &i64) -> String {
        self.ctx.num(n)
    }
}

async fn progress_page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let job: JobView = job_of(&state, &id, &user.account.id).await.or_page(&ctx)?.into();
    let running = !job.finished;
    let mut r = render(&ProgressPage { ctx: &ctx, id, job }, StatusCode::OK);
    if running {
        // Besides the page's meta refresh: browsers honour the header even where the meta sits
        // in the body.
        r.headers_mut().insert("refresh", HeaderValue::from_static("1"));
    }
    Ok(r)
}

async fn report_csv(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let rejected = match job_of(&state, &id, &user.account.id).await {
        Ok(job) if job.finished() => import_jobs::rejections(&state.store, &id).await.map_err(ApiError::from),
        Ok(_) => Err(ApiError::not_found()),
        Err(e) => Err(e),
    };
    let rejected = rejected.or_page(&ctx)?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = ["row", "ref", "field", "code", "message"].map(|k| ctx.t(&format!("import.report.{k}")));
    let mut written = out.write_record(header);
    for e in &rejected {
        let row = e.row.to_string();
        let record =
            [row.as_str(), e.reference.as_deref().unwrap_or(""), e.field.as_deref().unwrap_or(""), &e.code, &e.message];
        let record = record.map(spreadsheet::neutralize);
        written = written.and_then(|()| out.write_record(record.iter().map(|c| c.as_bytes())));
    }
    let bytes = written
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
        .map_err(ApiError::internal)
        .or_page(&ctx)?;
    let mut body = spreadsheet::BOM.as_bytes().to_vec();
    body.extend(bytes);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"import-report-{id}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage<'a> {
    ctx: &'a Ctx,
}

async fn export_page(Page(ctx, user): Page) -> Result<Response, PageError> {
    user.require(Action::Export).or_page(&ctx)?;
    Ok(render(&ExportPage { ctx: &ctx }, StatusCode::OK))
}

#[derive(Debug, serde::Deserialize)]
pub struct FormatQuery {
    format: Option<String>,
}

async fn export_download(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    axum::extract::Query(q): axum::extract::Query<FormatQuery>,
) -> Result<Response, PageError> {
    persons_file(&state, &user, &ExportQuery { format: q.format }, ctx.lang).await.or_page(&ctx)
}

async fn ledgers_download(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    axum::extract::Query(q): axum::extract::Query<FormatQuery>,
) -> Result<Response, PageError> {
    export_ledgers(&state, &user, &ExportQuery { format: q.format }, ctx.lang).await.or_page(&ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xlsx_is_known_by_its_name() {
        assert_eq!(media_of("人员.XLSX", Some("application/octet-stream")), XLSX);
        assert_eq!(media_of("a.csv", Some("text/csv")), "text/csv");
        assert_eq!(media_of("a", None), "text/csv");
    }
}
