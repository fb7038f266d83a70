//! Files in and out from a browser: a bulk import (CSV or xlsx, the columns of `yuanzhu import`)
//! that runs in the background with a progress page and a per-row report, and the export of the
//! persons of the user's jurisdiction and of their ledgers. The reading, the jurisdiction check and the export are the
//! API's own (`api::transfer`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use yuanzhu_domain::access::Action;
use yuanzhu_domain::registration::{Registration, RowError};
use yuanzhu_rules::Lang;
use yuanzhu_storage::duplicates;
use yuanzhu_storage::persons::{self, ImportSummary};

use super::{Ctx, Page, error_page, form_token_ok, render};
use crate::api::Query;
use crate::api::transfer::{
    BATCH, ExportQuery, XLSX, export_ledgers, export_persons, in_jurisdiction, outside, read_body,
};
use crate::auth::csrf_error;
use crate::error::ApiError;
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

/// An import running or done. Jobs live in this server process only and are lost on restart
/// (with their progress and report); the imported rows themselves are committed batch by batch,
/// so a restart loses the report, never an imported row.
#[derive(Debug, Clone, Default)]
struct Job {
    /// The account that started it: nobody else sees it.
    account_id: String,
    total: usize,
    done: usize,
    finished: bool,
    failed: Option<String>,
    summary: Counts,
    rejected: Vec<RowError>,
    started: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    created: u64,
    updated: u64,
    unchanged: u64,
    registrations: u64,
    recognitions: u64,
    duplicates: u64,
}

/// Jobs kept at most; the oldest finished ones go first.
const KEPT_JOBS: usize = 200;

fn jobs() -> &'static Mutex<HashMap<String, Job>> {
    static JOBS: OnceLock<Mutex<HashMap<String, Job>>> = OnceLock::new();
    JOBS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn with_job<T>(id: &str, f: impl FnOnce(&mut Job) -> T) -> Option<T> {
    jobs().lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_mut(id).map(f)
}

fn add_job(job: Job) -> String {
    use rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut all = jobs().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    while all.len() >= KEPT_JOBS {
        let oldest = all.iter().filter(|(_, j)| j.finished).min_by_key(|(_, j)| j.started).map(|(k, _)| k.clone());
        match oldest {
            Some(k) => all.remove(&k),
            None => break,
        };
    }
    all.insert(id.clone(), job);
    id
}

/// The job if it is this user's (anyone else's is not found).
fn job_of(id: &str, account_id: &str) -> Option<Job> {
    if id.len() > 64 {
        return None;
    }
    with_job(id, |j| j.clone()).filter(|j| j.account_id == account_id)
}

/// Imports the good rows batch by batch, each batch its own transaction, updating the job.
async fn run(state: AppState, job: String, good: Vec<Registration>, actor: String, lang: Lang) {
    let outcome: Result<(), ApiError> = async {
        let units = persons::unit_codes(&state.store).await?;
        for batch in good.chunks(BATCH) {
            let s = persons::register_batch(&state.store, batch, &units, &actor, &state.policies, lang).await?;
            with_job(&job, |j| {
                j.done += batch.len();
                absorb(j, s);
            });
        }
        let flagged = duplicates::flag_new(&state.store, &actor).await?;
        with_job(&job, |j| j.summary.duplicates = flagged);
        Ok(())
    }
    .await;
    with_job(&job, |j| {
        if let Err(e) = outcome {
            j.failed = Some(match lang {
                Lang::Zh => e.zh,
                Lang::En => e.en,
            });
        }
        j.rejected.sort_by_key(|e| e.row);
        j.finished = true;
    });
}

fn absorb(j: &mut Job, s: ImportSummary) {
    j.summary.created += s.persons_created;
    j.summary.updated += s.persons_updated;
    j.summary.unchanged += s.persons_unchanged;
    j.summary.registrations += s.registrations_recorded;
    j.summary.recognitions += s.recognitions_granted;
    j.rejected.extend(s.rejected);
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

async fn import_form(Page(ctx, user): Page) -> Response {
    if let Err(e) = user.require(Action::Register) {
        return error_page(&ctx, &e);
    }
    render(&ImportPage { ctx: &ctx, file_error: None }, StatusCode::OK)
}

/// The uploaded file's media type, by its name first (browsers send xlsx under several types).
fn media_of(filename: &str, sent: Option<&str>) -> &'static str {
    let name = filename.to_ascii_lowercase();
    if name.ends_with(".xlsx") || sent == Some(XLSX) { XLSX } else { "text/csv" }
}

async fn import_submit(State(state): State<AppState>, Page(ctx, user): Page, mut form: Multipart) -> Response {
    if let Err(e) = user.require(Action::Register) {
        return error_page(&ctx, &e);
    }
    let mut token = String::new();
    let mut file: Option<(&'static str, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return error_page(&ctx, &ApiError::bad_request("bad_form", None, e.body_text(), e.body_text())),
        };
        match field.name() {
            Some("csrf_token") => token = field.text().await.unwrap_or_default(),
            Some("file") => {
                let media = media_of(field.file_name().unwrap_or(""), field.content_type());
                match field.bytes().await {
                    Ok(bytes) if !bytes.is_empty() => file = Some((media, bytes.to_vec())),
                    Ok(_) => {}
                    Err(e) => {
                        return error_page(
                            &ctx,
                            &ApiError::bad_request("bad_form", None, e.body_text(), e.body_text()),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    if !form_token_ok(&ctx, &token) {
        return error_page(&ctx, &csrf_error());
    }
    let refused = |message: String| render(&ImportPage { ctx: &ctx, file_error: Some(message) }, StatusCode::OK);
    let Some((media, bytes)) = file else { return refused(ctx.t("import.no_file").to_owned()) };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    let rows = match read_body(&headers, &bytes, ctx.lang) {
        Ok(rows) => rows,
        Err(e) => {
            return refused(match ctx.lang {
                Lang::Zh => e.zh,
                Lang::En => e.en,
            });
        }
    };
    let mut job = Job {
        account_id: user.account.id.clone(),
        total: rows.len(),
        started: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        ..Job::default()
    };
    let mut good = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Ok(reg) if in_jurisdiction(&user, &reg) => good.push(reg),
            Ok(reg) => job.rejected.push(outside(&reg, ctx.lang)),
            Err(e) => job.rejected.push(e),
        }
    }
    job.done = job.rejected.len();
    // Claims to join households across units are held before any row is written.
    if let Err(e) = crate::api::households::hold_joins(&state, &user, &good).await {
        return error_page(&ctx, &e);
    }
    let id = add_job(job);
    tokio::spawn(run(state, id.clone(), good, user.account.username.clone(), ctx.lang));
    Redirect::to(&format!("/import/{id}")).into_response()
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressPage<'a> {
    ctx: &'a Ctx,
    id: String,
    job: Job,
}

impl ProgressPage<'_> {
    fn done(&self) -> String {
        self.ctx.num(&i64::try_from(self.job.done).unwrap_or(i64::MAX))
    }

    fn total(&self) -> String {
        self.ctx.num(&i64::try_from(self.job.total).unwrap_or(i64::MAX))
    }

    fn rejected(&self) -> String {
        self.ctx.num(&i64::try_from(self.job.rejected.len()).unwrap_or(i64::MAX))
    }

    fn count(&self, n: &u64) -> String {
        self.ctx.num(&i64::try_from(*n).unwrap_or(i64::MAX))
    }
}

async fn progress_page(Page(ctx, user): Page, Path(id): Path<String>) -> Response {
    let Some(job) = job_of(&id, &user.account.id) else { return error_page(&ctx, &ApiError::not_found()) };
    let running = !job.finished;
    let mut r = render(&ProgressPage { ctx: &ctx, id, job }, StatusCode::OK);
    if running {
        // Besides the page's meta refresh: browsers honour the header even where the meta sits
        // in the body.
        r.headers_mut().insert("refresh", HeaderValue::from_static("1"));
    }
    r
}

/// Quotes a report cell that a spreadsheet would read as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() }
}

async fn report_csv(Page(ctx, user): Page, Path(id): Path<String>) -> Response {
    let Some(job) = job_of(&id, &user.account.id).filter(|j| j.finished) else {
        return error_page(&ctx, &ApiError::not_found());
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = ["row", "ref", "field", "code", "message"].map(|k| ctx.t(&format!("import.report.{k}")));
    let mut written = out.write_record(header);
    for e in &job.rejected {
        let row = e.row.to_string();
        let record = [
            row.as_str(),
            &cell(e.reference.as_deref().unwrap_or("")),
            e.field.as_deref().unwrap_or(""),
            &e.code,
            &cell(&e.message),
        ];
        written = written.and_then(|()| out.write_record(record));
    }
    let bytes = match written.map_err(|e| e.to_string()).and_then(|()| out.into_inner().map_err(|e| e.to_string())) {
        Ok(bytes) => bytes,
        Err(e) => return error_page(&ctx, &ApiError::internal(e)),
    };
    // A byte-order mark, so that Excel opens the Chinese messages as UTF-8.
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(bytes);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"import-report-{id}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage<'a> {
    ctx: &'a Ctx,
}

async fn export_page(Page(ctx, user): Page) -> Response {
    if let Err(e) = user.require(Action::Export) {
        return error_page(&ctx, &e);
    }
    render(&ExportPage { ctx: &ctx }, StatusCode::OK)
}

#[derive(Debug, serde::Deserialize)]
pub struct FormatQuery {
    format: Option<String>,
}

async fn export_download(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    axum::extract::Query(q): axum::extract::Query<FormatQuery>,
) -> Response {
    match export_persons(State(state), user, Query(ExportQuery { format: q.format })).await {
        Ok(r) => r,
        Err(e) => error_page(&ctx, &e),
    }
}

async fn ledgers_download(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    axum::extract::Query(q): axum::extract::Query<FormatQuery>,
) -> Response {
    match export_ledgers(&state, &user, &ExportQuery { format: q.format }, ctx.lang).await {
        Ok(r) => r,
        Err(e) => error_page(&ctx, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_cell_never_starts_a_formula() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("居住单位"), "居住单位");
    }

    #[test]
    fn an_xlsx_is_known_by_its_name() {
        assert_eq!(media_of("人员.XLSX", Some("application/octet-stream")), XLSX);
        assert_eq!(media_of("a.csv", Some("text/csv")), "text/csv");
        assert_eq!(media_of("a", None), "text/csv");
    }
}
