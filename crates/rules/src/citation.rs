//! Citations in English. The policies cite themselves the Chinese way: 第三条第（一）项 (article 3,
//! item (1)), 第三条第（三）项第3目 (its sub-item 3), and 粤人社规〔2023〕11号 by chapter,
//! 第三章第五条第（六）项. In English a reader expects Article 3(1), Article 3(3), item 3 and
//! Chapter 3, Article 5(6). [`in_english`] rewrites every citation inside a text and leaves the
//! rest of it as it is, so a reason or a note that quotes an article reads right in either language.

/// The text with each citation in it written the English way.
pub fn in_english(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match citation_at(&chars, i) {
            Some((cite, end)) => {
                out.push_str(&cite.english());
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// The parts of one citation, outermost first.
#[derive(Debug, Default, PartialEq, Eq)]
struct Citation {
    chapter: Option<u32>,
    article: Option<u32>,
    paragraph: Option<u32>,
    item: Option<u32>,
    sub_item: Option<u32>,
}

impl Citation {
    fn english(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = self.chapter {
            parts.push(format!("Chapter {c}"));
        }
        let mut article = self.article.map(|a| format!("Article {a}"));
        if let Some(p) = self.paragraph {
            article = Some(match article {
                Some(a) => format!("{a}, paragraph {p}"),
                None => format!("paragraph {p}"),
            });
        }
        if let Some(x) = self.item {
            article = Some(match article {
                Some(a) => format!("{a}({x})"),
                None => format!("item ({x})"),
            });
        }
        if let Some(a) = article {
            parts.push(a);
        }
        if let Some(m) = self.sub_item {
            parts.push(format!("item {m}"));
        }
        parts.join(", ")
    }
}

/// The citation starting at `start`, if one does, and where it ends. Its parts come in the order
/// the Chinese writes them: 章, 条, 款, 项 (in brackets), 目; each at most once.
fn citation_at(chars: &[char], start: usize) -> Option<(Citation, usize)> {
    let mut cite = Citation::default();
    let mut i = start;
    let mut rank = 0;
    while let Some((n, unit, end)) = part_at(chars, i) {
        let (r, slot) = match unit {
            '章' => (1, &mut cite.chapter),
            '条' => (2, &mut cite.article),
            '款' => (3, &mut cite.paragraph),
            '项' => (4, &mut cite.item),
            _ => (5, &mut cite.sub_item),
        };
        if r <= rank {
            break;
        }
        rank = r;
        *slot = Some(n);
        i = end;
    }
    (i > start).then_some((cite, i))
}

/// One part: 第, a number (Chinese or Arabic, the item's in （） or ()), and its unit.
fn part_at(chars: &[char], start: usize) -> Option<(u32, char, usize)> {
    let mut i = start;
    if chars.get(i) != Some(&'第') {
        return None;
    }
    i += 1;
    let bracketed = matches!(chars.get(i), Some('（' | '('));
    if bracketed {
        i += 1;
    }
    let digits_start = i;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit() || chinese_digit(*c).is_some()) {
        i += 1;
    }
    let n = number(&chars[digits_start..i])?;
    if bracketed {
        if !matches!(chars.get(i), Some('）' | ')')) {
            return None;
        }
        i += 1;
    }
    let unit = *chars.get(i)?;
    let fits = match unit {
        '项' => bracketed,
        '章' | '条' | '款' | '目' => !bracketed,
        _ => false,
    };
    fits.then_some((n, unit, i + 1))
}

fn chinese_digit(c: char) -> Option<u32> {
    "零一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32).or(match c {
        '〇' => Some(0),
        '十' => Some(10),
        '百' => Some(100),
        _ => None,
    })
}

/// 3, 十二, 二十一, 一百零五: Arabic digits, or a Chinese numeral below a thousand.
fn number(chars: &[char]) -> Option<u32> {
    if chars.is_empty() {
        return None;
    }
    if chars.iter().all(char::is_ascii_digit) {
        return chars.iter().collect::<String>().parse().ok().filter(|n| *n > 0);
    }
    let (mut total, mut pending) = (0u32, None::<u32>);
    for &c in chars {
        match chinese_digit(c)? {
            unit @ (10 | 100) => {
                total += pending.take().unwrap_or(1) * unit;
            }
            // 零 only holds a place: 一百零五.
            0 => {}
            d => {
                if pending.is_some() {
                    return None;
                }
                pending = Some(d);
            }
        }
    }
    Some(total + pending.unwrap_or(0)).filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A number the way the policies write it: 三, 十二, 二十一, 一百零五.
    fn zh(n: u32) -> String {
        const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let (h, t, u) = (n / 100, n / 10 % 10, n % 10);
        let mut s = String::new();
        if h > 0 {
            s.push_str(D[h as usize]);
            s.push('百');
            if t == 0 && u > 0 {
                s.push('零');
            }
        }
        if t > 0 {
            if !(t == 1 && h == 0) {
                s.push_str(D[t as usize]);
            }
            s.push('十');
        }
        if u > 0 {
            s.push_str(D[u as usize]);
        }
        s
    }

    #[test]
    fn the_policies_citations_read_the_english_way() {
        assert_eq!(in_english("第三条第（一）项"), "Article 3(1)");
        assert_eq!(in_english("第三条第（三）项第3目"), "Article 3(3), item 3");
        assert_eq!(in_english("第五条"), "Article 5");
        assert_eq!(in_english("第三章第五条第（六）项"), "Chapter 3, Article 5(6)");
        assert_eq!(in_english("第二章"), "Chapter 2");
        assert_eq!(in_english("第二十一条"), "Article 21");
        assert_eq!(in_english("第一条第（十二）项"), "Article 1(12)");
        assert_eq!(in_english("第三条第二款"), "Article 3, paragraph 2");
        assert_eq!(in_english("依据第六条第（五）项：连续1个月"), "依据Article 6(5)：连续1个月");
        assert_eq!(in_english("第三条、第五条"), "Article 3、Article 5");
    }

    #[test]
    fn what_is_not_a_citation_is_left_alone() {
        for text in ["第", "第三", "第（三）条", "第3", "次第", "第一名", "第零条", "第（）项", "Article 3"]
        {
            assert_eq!(in_english(text), text, "{text}");
        }
    }

    proptest! {
        #[test]
        fn article_item_and_sub_item(a in 1u32..200, x in 1u32..30, m in 1u32..10) {
            let cite = format!("第{}条第（{}）项第{m}目", zh(a), zh(x));
            prop_assert_eq!(in_english(&cite), format!("Article {a}({x}), item {m}"));
        }

        #[test]
        fn chapter_article_and_item(c in 1u32..20, a in 1u32..200, x in 1u32..30) {
            prop_assert_eq!(in_english(&format!("第{}章第{}条第（{}）项", zh(c), zh(a), zh(x))), format!("Chapter {c}, Article {a}({x})"));
            prop_assert_eq!(in_english(&format!("第{}章第{}条", zh(c), zh(a))), format!("Chapter {c}, Article {a}"));
        }

        #[test]
        fn text_around_a_citation_is_kept(before in "[a-z 。：，]{0,8}", a in 1u32..200, after in "[a-z 。：，]{0,8}") {
            prop_assert_eq!(in_english(&format!("{before}第{}条{after}", zh(a))), format!("{before}Article {a}{after}"));
        }

        #[test]
        fn a_text_without_di_is_unchanged(text in "[^第]{0,40}") {
            prop_assert_eq!(in_english(&text), text);
        }

        #[test]
        fn a_citation_in_english_has_no_chinese_left(c in proptest::option::of(1u32..20), a in 1u32..200,
                                                      x in proptest::option::of(1u32..30), m in proptest::option::of(1u32..10)) {
            let mut cite = c.map(|c| format!("第{}章", zh(c))).unwrap_or_default();
            cite.push_str(&format!("第{}条", zh(a)));
            if let Some(x) = x { cite.push_str(&format!("第（{}）项", zh(x))); }
            if let Some(m) = m { cite.push_str(&format!("第{m}目")); }
            let english = in_english(&cite);
            prop_assert!(!english.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{} → {}", cite, english);
        }
    }
}
