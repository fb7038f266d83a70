//! Laying out the bar chart's labels. A browser measures text only after the SVG is drawn, so the
//! server estimates each label's width from its characters (a CJK character is a square em, a
//! Latin letter a little over half of one), wraps a label too long for one line at a word (or,
//! in Chinese, between characters), and makes the label column as wide as its widest line. Nothing
//! is clipped at either edge, in either language.

/// The labels' font size, in SVG user units (`.home-chart` in app.css).
pub const FONT: f64 = 13.0;
/// The widest a label line may be before it wraps.
pub const MAX_LINE: f64 = 230.0;

/// An upper estimate of the width of `text` at `FONT`.
pub fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            c if !c.is_ascii() => 1.0,
            'M' | 'W' | 'm' | 'w' => 0.9,
            c if c.is_ascii_uppercase() => 0.72,
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.32,
            ' ' => 0.3,
            _ => 0.58,
        })
        .sum::<f64>()
        * FONT
}

/// `text` in lines no wider than [`MAX_LINE`]: broken at spaces, and where a word or a run of
/// Chinese is itself too wide, between characters (before an opening bracket where one is near).
pub fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if text_width(&candidate) <= MAX_LINE {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: split between characters where it does not fit.
        for c in word.chars() {
            let next = format!("{line}{c}");
            if text_width(&next) > MAX_LINE && !line.is_empty() {
                // Keep an opening bracket with what it opens.
                let cut =
                    if c == '（' || c == '(' { line.len() } else { line.rfind(['（', '(']).unwrap_or(line.len()) };
                let carried = if cut > 0 && cut < line.len() { line.split_off(cut) } else { String::new() };
                lines.push(std::mem::take(&mut line));
                line = carried;
            }
            line.push(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The label column's width for these labels' lines, with room on both sides.
pub fn label_column(lines: &[Vec<String>]) -> f64 {
    lines.iter().flatten().map(|l| text_width(l)).fold(0.0, f64::max).ceil() + 16.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_of_every_policy_fits_its_column_in_both_languages() {
        let set = yuanzhu_rules::PolicySet::embedded();
        for lang in ["zh", "en"] {
            let labels: Vec<Vec<String>> = set
                .policies()
                .iter()
                .flat_map(|p| p.categories.iter())
                .map(|c| wrap(if lang == "zh" { &c.name } else { &c.name_en }))
                .collect();
            let column = label_column(&labels);
            for lines in &labels {
                assert!(lines.len() <= 3, "{lines:?}");
                for l in lines {
                    assert!(text_width(l) <= MAX_LINE.max(column - 16.0), "{l}");
                    assert!(text_width(l) + 8.0 <= column, "{l} is wider than its column {column}");
                }
            }
        }
    }

    #[test]
    fn a_long_label_wraps_at_words_and_keeps_every_character() {
        let label = "Extreme hardship: minimum living allowance or low-income family";
        let lines = wrap(label);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), label);
        let zh = "特困失业人员（大龄且连续失业6个月以上）";
        let lines = wrap(zh);
        assert_eq!(lines.concat(), zh);
        assert!(lines.iter().all(|l| text_width(l) <= MAX_LINE), "{lines:?}");
        assert_eq!(wrap("大龄失业人员"), ["大龄失业人员"]);
    }
}
