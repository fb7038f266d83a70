//! The hardship application (穗人社发〔2014〕4号 第五条; 粤人社规〔2023〕11号 chapter 2 where it
//! applies) as pages: opening one for a person, the application with its checklist item by item,
//! the one-time deficiency notice, the decision, and the printable forms (the application form in
//! triplicate, the deficiency notice and the notice of refusal).
//!
//! Every change goes through the same functions as `/api/v1/applications/…`, so the state machine,
//! the jurisdiction (404 outside it), the roles (403) and the version check are the API's. Final
//! acts (deficiency notice, approval, refusal, withdrawal) are posted twice: the first post shows a
//! confirmation page, the second (with `confirmed=yes` and the same version) acts, so the step
//! works without scripting.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use yuanzhu_domain::access::{Action, mask_id_number, mask_phone, role_allows};
use yuanzhu_domain::application::{
    Action as Act, ApplicationCategory, CategoryError, Document, Provision, State as AppState_, StateKind,
};
use yuanzhu_rules::{Date, Lang};
use yuanzhu_storage::{applications, persons, search};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::applications::{
    DeficiencyBody, DocumentsBody, RejectBody, Step, StepBody, Supply, application_error, policy_for, reachable,
    serve_deficiency_notice, step, supply, transition_error,
};
use crate::service::common::{MAX_TEXT, day_of, free_text, id_of};
use crate::state::AppState;

mod acts;
mod opening;
mod print;
mod view;

use acts::*;
use opening::*;
use print::*;
use view::*;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("application.title", "困难人员认定申请", "Hardship application"),
    ("application.new_title", "申请认定特困失业人员", "Apply for recognition of hardship"),
    (
        "application.new_intro",
        "按第五条，向户籍所在街（镇）公共就业服务机构申办；选择申请的类别，系统列出须提交的材料。",
        "Under Article 5 the application is made at the street (town) employment office; choose the category and the checklist of documents follows.",
    ),
    ("application.category", "申请类别", "Category applied for"),
    ("application.policy", "政策", "Policy"),
    ("application.article", "依据条款", "Article"),
    ("application.received_on", "受理日期", "Received on"),
    ("application.received_hint", "不填则为今天；不能晚于今天。", "Today if left empty; not after today."),
    ("application.open", "开始申请", "Open the application"),
    ("application.not_applicable", "（该政策下适用时）", "(where this policy applies)"),
    ("application.person", "申请人", "Applicant"),
    ("application.state", "办理状态", "State"),
    ("application.version", "版本", "Version"),
    ("application.unit", "受理单位", "Office"),
    ("application.opened_on", "申请日期", "Opened on"),
    ("application.checklist", "材料清单（第五条）", "Checklist of documents (Article 5)"),
    ("application.document", "材料", "Document"),
    ("application.supplied", "提交情况", "Supplied"),
    ("application.provided_on", "已提交", "Provided"),
    ("application.commitment_on", "以书面承诺代替", "Written commitment instead"),
    ("application.missing", "未提交", "Missing"),
    ("application.provisional", "（依据待核实）", "(source not yet verified)"),
    ("application.tick_provided", "勾选本次收到的材料", "Tick the documents received now"),
    ("application.act_on", "办理日期", "Date"),
    (
        "application.act_on_hint",
        "补录的申请默认沿用其受理日期；不能早于上一次办理，也不能晚于今天。",
        "A back-dated application keeps its received date by default; not before the last step, not after today.",
    ),
    ("application.record_provided", "记录已收到的材料", "Record documents received"),
    ("application.record_commitment", "以书面承诺代替证明", "Accept written commitments instead"),
    ("application.nothing_ticked", "请至少勾选一份材料。", "Tick at least one document."),
    ("application.all_supplied", "材料已齐全。", "Every document is supplied."),
    ("application.submit", "提交申请", "Submit the application"),
    (
        "application.submit_hint",
        "材料不齐时提交，将一次性告知所缺的全部材料。",
        "Submitting with documents missing serves the one-time notice listing everything missing.",
    ),
    ("application.notice", "一次性告知书", "One-time deficiency notice"),
    (
        "application.notice_intro",
        "经审查，您的申请材料不齐全或有缺陷。现一次性告知须补正的全部材料如下：",
        "On review, your application is incomplete or defective. Everything to be supplied is listed here, once:",
    ),
    ("application.notice_served", "告知日期", "Served on"),
    ("application.notice_print", "打印一次性告知书", "Print the deficiency notice"),
    ("application.mark_deficient", "出具一次性告知书", "Serve the one-time deficiency notice"),
    (
        "application.mark_deficient_hint",
        "勾选审查中发现有缺陷的材料；告知书同时列出其他所有未提交的材料。一份申请只能告知一次。",
        "Tick the documents found defective; the notice also lists everything else missing. Only one notice per application.",
    ),
    ("application.defective", "有缺陷的材料", "Defective documents"),
    ("application.decision", "作出决定", "Decision"),
    ("application.approve", "认定为特困失业人员", "Approve"),
    ("application.reject", "不予认定", "Refuse"),
    ("application.reason", "不予认定的理由", "Reason for refusal"),
    ("application.reason_required", "请写明不予认定的理由。", "State the reason for refusal."),
    ("application.withdraw", "撤回申请", "Withdraw the application"),
    ("application.deadlines", "办理时限", "Time limits"),
    ("application.review_deadline", "审核期限", "Review deadline"),
    ("application.overdue", "已超期", "overdue"),
    ("application.appeal_deadline", "申请重核期限", "Last day to ask for re-review"),
    ("application.days_since_notice", "告知后已过", "Days since the notice"),
    ("application.no_limit", "本政策未规定", "None set by this policy"),
    ("application.history", "办理记录", "History"),
    ("application.when", "日期", "Date"),
    ("application.by", "经办人", "By"),
    ("application.what", "事项", "What"),
    ("application.print", "打印申请登记表（一式三份）", "Print the application form (triplicate)"),
    ("application.refusal_print", "打印不予认定通知书", "Print the notice of refusal"),
    (
        "application.conflict",
        "本申请已被他人办理过（您看到的是旧版本）。页面已更新为最新情况，请核对后重新操作。",
        "Someone else changed this application after you opened it. The page now shows the latest state: check it and try again.",
    ),
    ("application.done", "已办理。", "Done."),
    ("application.confirm_title", "请确认", "Please confirm"),
    (
        "application.confirm_approve",
        "确认认定该申请人为特困失业人员？认定后不能撤回。",
        "Approve this applicant? This is final.",
    ),
    (
        "application.confirm_reject",
        "确认不予认定？将出具《不予认定通知书》，决定不能撤回。",
        "Refuse recognition? A notice of refusal is served and the decision is final.",
    ),
    (
        "application.confirm_withdraw",
        "确认申请人撤回本申请？撤回后不能继续办理。",
        "Record that the applicant withdraws? The application cannot continue.",
    ),
    (
        "application.confirm_deficient",
        "确认出具一次性告知书？每份申请只能告知一次，告知书将列出以下全部材料：",
        "Serve the one-time deficiency notice? Only one is ever served; it will list all of these:",
    ),
    ("application.form_title", "广州市特困失业人员申请登记表", "Guangzhou extreme-hardship application form"),
    ("application.copy1", "第一联 申请人留存", "Copy 1: kept by the applicant"),
    (
        "application.copy2",
        "第二联 街道（镇）公共就业服务机构留存",
        "Copy 2: kept by the street (town) employment office",
    ),
    ("application.copy3", "第三联 区公共就业服务机构留存", "Copy 3: kept by the district employment office"),
    (
        "application.form_title_gd",
        "广东省就业困难人员认定申请表",
        "Guangdong application for recognition of employment difficulty",
    ),
    ("application.form_basis", "第五条", "Article 5"),
    ("application.date_blank", "　　　年　　月　　日", "____ / ____ / ________"),
    ("application.form_no", "申请编号", "Application no."),
    ("application.address", "住址", "Address"),
    ("application.phone", "联系电话", "Phone"),
    (
        "application.declaration",
        "本人承诺所填信息及所交材料真实有效。",
        "I declare the information and documents given are true.",
    ),
    ("application.applicant_signature", "申请人签名", "Applicant's signature"),
    ("application.handler_signature", "经办人签名", "Caseworker's signature"),
    ("application.sign_date", "日期", "Date"),
    ("application.stamp", "经办机构（盖章）", "Office stamp"),
    ("application.opinion", "审核意见", "Review opinion"),
    ("application.print_hint", "用A4纸打印，三联各占一页。", "Prints on A4, one page per copy."),
    ("application.refusal_title", "不予认定通知书", "Notice of refusal of recognition"),
    (
        "application.refusal_body",
        "经审核，您申请认定的类别不符合认定条件，决定不予认定。理由如下：",
        "After review, the category you applied for is not recognised. The reason:",
    ),
    ("application.refusal_rights", "权利告知", "Your rights"),
    (
        "application.appeal_text",
        "如对本决定有异议，可自收到本通知书之日起30日内向作出决定的公共就业服务机构申请重核，最后期限为：",
        "If you disagree, you may ask the office that decided for re-review within 30 days of receiving this notice; the last day is:",
    ),
    (
        "application.no_appeal_text",
        "本政策未规定重核程序。如对本决定有异议，可依法申请行政复议或提起行政诉讼。",
        "This policy sets no re-review procedure. You may apply for administrative reconsideration or bring an administrative suit as the law provides.",
    ),
    (
        "application.not_refused",
        "该申请未被不予认定，没有通知书。",
        "This application was not refused; there is no notice.",
    ),
    ("application.no_notice", "该申请没有一次性告知书。", "No deficiency notice was served on this application."),
    ("application.to_file", "返回个人档案", "Back to the personal file"),
    ("application.to_application", "返回申请", "Back to the application"),
    ("application.served_by", "经办人", "Served by"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{person_id}/apply", get(new_form).post(open))
        .route("/applications/{id}", get(show))
        .route("/applications/{id}/documents", post(documents))
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/deficient", post(mark_deficient))
        .route("/applications/{id}/approve", post(approve))
        .route("/applications/{id}/reject", post(reject))
        .route("/applications/{id}/withdraw", post(withdraw))
        .route("/applications/{id}/print", get(print))
        .route("/applications/{id}/notice", get(notice))
        .route("/applications/{id}/refusal", get(refusal))
}

/// A posted form as its pairs: check boxes repeat a name, which a struct cannot take.
pub(super) type Fields = Form<Vec<(String, String)>>;

pub(super) fn field<'f>(f: &'f [(String, String)], name: &str) -> &'f str {
    f.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

pub(super) fn fields(f: &[(String, String)], name: &str) -> Vec<String> {
    f.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).collect()
}

/// An error said in this area's words, in both languages.
pub(super) fn said(status: StatusCode, code: &'static str, key: &str) -> ApiError {
    ApiError::localized(status, code, None, |l| super::i18n::t(l, key).to_owned())
}

pub(super) fn pick(ctx: &Ctx, e: &ApiError) -> String {
    match ctx.lang {
        Lang::Zh => e.zh.clone(),
        Lang::En => e.en.clone(),
    }
}

/// The record key of a person from the path: too long names nobody (404 without a query).
pub(super) async fn id_number_of(state: &AppState, person_id: &str) -> Result<String, ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)
}
