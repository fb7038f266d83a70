//! Explanations: the facts behind each matched category and each unmet condition, in words.
//! Produced only when asked, never on the batch path.

use serde::Serialize;

use crate::calendar::Date;
use crate::facts::{Facts, FemaleRetirementTrack, Sex};
use crate::lang::Lang;
use crate::policy::AgeThreshold;
use crate::retirement::{retirement_age, retirement_date};

/// Why a category matched or a condition failed, and under which article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub citation: String,
    pub because: String,
}

fn sex_word(sex: Sex, lang: Lang) -> &'static str {
    match (sex, lang) {
        (Sex::Female, Lang::Zh) => "女",
        (Sex::Male, Lang::Zh) => "男",
        (Sex::Female, Lang::En) => "female",
        (Sex::Male, Lang::En) => "male",
    }
}

/// "male, age 41 >= 40" / "男，41周岁，满40周岁".
pub(crate) fn age_clause(f: &Facts, on: Date, threshold: AgeThreshold, lang: Lang) -> String {
    let age = f.birth_date.age_on(on);
    let n = threshold.for_sex(f.sex);
    match lang {
        Lang::Zh => format!("{}，{age}周岁，满{n}周岁", sex_word(f.sex, lang)),
        Lang::En => format!("{}, age {age} >= {n}", sex_word(f.sex, lang)),
    }
}

/// "male, age 35 < 40" / "男，35周岁，未满40周岁": an age threshold not reached.
pub(crate) fn age_short_clause(f: &Facts, on: Date, threshold: AgeThreshold, lang: Lang) -> String {
    let age = f.birth_date.age_on(on);
    let n = threshold.for_sex(f.sex);
    match lang {
        Lang::Zh => format!("{}，{age}周岁，未满{n}周岁", sex_word(f.sex, lang)),
        Lang::En => format!("{}, age {age} < {n}", sex_word(f.sex, lang)),
    }
}

/// A period of `months` months from `start` (`what` names the start) not completed on `on`, or
/// not shown at all without a start.
pub(crate) fn months_short_clause(
    start: Option<Date>,
    what: (&str, &str),
    on: Date,
    months: u32,
    lang: Lang,
) -> String {
    match (start, lang) {
        (None, Lang::Zh) => format!("无{}，无法证明满{months}个月", what.0),
        (None, Lang::En) => format!("no {}: {months} months cannot be shown", what.1),
        (Some(start), Lang::Zh) => format!("自{start}起{}个月，未满{months}个月", full_months(start, on)),
        (Some(start), Lang::En) => format!("since {start}: {} months < {months}", full_months(start, on)),
    }
}

/// Full months from `start` to `on`, by the period rule.
fn full_months(start: Date, on: Date) -> u32 {
    if on < start {
        return 0;
    }
    let guess = (on.year() * 12 + on.month()) - (start.year() * 12 + start.month());
    if start.add_months(guess) <= on { guess } else { guess - 1 }
}

/// "unemployed since 2015-08-31: 9 months >= 6" / "自2015-08-31起连续失业9个月，满6个月".
pub(crate) fn months_clause(start: Date, on: Date, months: u32, lang: Lang) -> String {
    let n = full_months(start, on);
    match lang {
        Lang::Zh => format!("自{start}起{n}个月，满{months}个月"),
        Lang::En => format!("since {start}: {n} months >= {months}"),
    }
}

/// Why a precondition failed, or why no category matched.
pub(crate) fn unmet(code: &str, minimum_age: u32, f: &Facts, on: Date, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = |z: &str, e: &str| if zh { z } else { e }.to_owned();
    let age = f.birth_date.age_on(on);
    match code {
        "not_local_hukou" => text("非本市户籍", "hukou is not in this city"),
        "not_provincial_hukou" => text("非广东省户籍", "hukou is not in Guangdong"),
        "not_registered_unemployed" => text("未办理失业登记", "not registered as unemployed"),
        "has_work" => text("未处于无业状态", "currently has work"),
        "unable_to_work" => text("无劳动能力", "has no labour capacity"),
        "not_willing" => text("无就业意愿或不愿接受就业援助", "does not want work or assistance"),
        "below_working_age" => {
            if zh {
                format!("{age}周岁，未满{minimum_age}周岁")
            } else {
                format!("age {age} < {minimum_age}")
            }
        }
        "above_working_age" => {
            let track = f.retirement_track();
            let ra = retirement_age(f.birth_date, track);
            let date = retirement_date(f.birth_date, track);
            let track_zh = match (f.sex, f.female_retirement_track) {
                (Sex::Male, _) => "男",
                (Sex::Female, FemaleRetirementTrack::Worker) => "女工人",
                (Sex::Female, FemaleRetirementTrack::Cadre) => "女干部",
            };
            match (zh, ra.delay_months) {
                (true, 0) => format!("{track_zh}，法定退休年龄{}周岁，已于{date}达到", ra.years),
                (true, m) => format!("{track_zh}，法定退休年龄{}周岁{m}个月，已于{date}达到", ra.years),
                (false, 0) => format!("reached statutory retirement age {} on {date}", ra.years),
                (false, m) => format!("reached statutory retirement age {} years {m} months on {date}", ra.years),
            }
        }
        "no_category" => text("符合基本条件，但不属于任何一类就业困难人员", "meets every precondition but no category"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_months_follow_the_period_rule() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(full_months(d("2015-08-31"), d("2016-02-28")), 5);
        assert_eq!(full_months(d("2015-08-31"), d("2016-02-29")), 6);
        assert_eq!(full_months(d("2016-01-15"), d("2016-01-14")), 0);
    }
}
