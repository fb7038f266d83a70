//! One catalogue of words: every message the server makes from an error of storage is looked
//! up here by key, in one table per language ([`zh`], [`en`]), with `{name}` where an argument
//! goes. Storage errors carry a code, a field and their arguments, never words; [`Describe`]
//! turns one into a sentence at the edge (the API, the pages, the command line).
//!
//! A new capability adds its entries to both tables under its own prefix (`hotline.…`), and an
//! `impl Describe` for its error in a module here whose `match` names every variant, so that
//! the compiler refuses a variant without words; the tests below refuse a key missing from one
//! language, a placeholder one language lacks, and a variant whose words do not resolve.

mod en;
mod storage;
mod zh;

use std::fmt::{Display, Write};

use yuanzhu_rules::Lang;

/// An error that can say itself in the user's language, from the catalogue.
pub trait Describe {
    /// What went wrong, starting with the field at fault where there is one.
    fn message(&self, lang: Lang) -> String;
}

/// One argument of a message: its placeholder's name and its value.
pub type Arg<'a> = (&'a str, &'a dyn Display);

fn table(lang: Lang) -> &'static [(&'static str, &'static str)] {
    match lang {
        Lang::Zh => zh::WORDS,
        Lang::En => en::WORDS,
    }
}

/// The entry `key` in `lang`, as written (placeholders unfilled).
fn entry(lang: Lang, key: &str) -> &'static str {
    match table(lang).iter().find(|(k, _)| *k == key) {
        Some((_, text)) => text,
        None => {
            debug_assert!(false, "no catalogue entry `{key}`");
            ""
        }
    }
}

/// The entry `key` in `lang`, each `{name}` replaced by its argument.
pub fn text(lang: Lang, key: &str, args: &[Arg<'_>]) -> String {
    fill(entry(lang, key), args)
}

fn fill(template: &str, args: &[Arg<'_>]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let _ = write!(out, "{value}");
            }
            None => {
                debug_assert!(false, "no argument `{name}` for `{template}`");
                out.push_str(&rest[open..open + close + 2]);
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name)).collect()
    }

    #[test]
    fn every_key_is_in_both_languages_with_the_same_placeholders() {
        let keys = |t: &'static [(&'static str, &'static str)]| t.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        assert_eq!(keys(zh::WORDS), keys(en::WORDS), "the two tables list the same keys in the same order");
        let unique: BTreeSet<_> = keys(zh::WORDS).into_iter().collect();
        assert_eq!(unique.len(), zh::WORDS.len(), "a key appears twice");
        for ((key, zh), (_, en)) in zh::WORDS.iter().zip(en::WORDS) {
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
            assert_eq!(placeholders(zh), placeholders(en), "{key}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_text_around_them_kept() {
        let n = 3;
        assert_eq!(fill("a {n} b {n}", &[("n", &n)]), "a 3 b 3");
        assert_eq!(fill("no placeholder", &[]), "no placeholder");
    }
}

#[cfg(test)]
mod api_error_tests {
    use axum::http::StatusCode;

    use crate::error::ApiError;

    /// The server's own errors read as they did when each wrote its words inline.
    #[test]
    fn the_servers_own_errors_read_as_before() {
        let said = |e: ApiError| (e.zh, e.en);
        assert_eq!(said(ApiError::not_found()), ("未找到".into(), "not found".into()));
        assert_eq!(
            said(ApiError::forbidden()),
            ("您的角色无权执行此操作".into(), "your role does not allow this".into())
        );
        assert_eq!(
            said(ApiError::too_large(Some(8))),
            (
                "请求内容超过服务器允许的上限 8 MiB：请拆分文件后分批提交".into(),
                "the request body is over the server's limit of 8 MiB: split the file and send it in parts".into()
            )
        );
        let e = ApiError::said(StatusCode::BAD_REQUEST, "invalid_json", "invalid_json", &[("detail", &"{x}")]);
        assert_eq!(
            said(e),
            ("请求内容不是有效的 JSON：{x}".into(), "{x}".into()),
            "an argument is not read as a template"
        );
        let today = yuanzhu_rules::Date::parse("2026-03-01").unwrap();
        let e = crate::service::common::day_of(today, Some("2026-03-02")).unwrap_err();
        assert_eq!((e.code.as_ref(), e.field.as_deref()), ("date_in_future", Some("on")));
        assert_eq!(e.zh, "on（日期）：2026-03-02晚于今天（2026-03-01），只能记录已经发生的事");
        let e = crate::service::common::free_text("长长", "note", 1).unwrap_err();
        assert_eq!(
            (e.zh.as_str(), e.en.as_str()),
            ("note：内容过长（最多1个字符）", "note: too long (1 characters at most)")
        );
    }
}
