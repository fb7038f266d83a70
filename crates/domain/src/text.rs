//! What the text fields of a person's record may hold: a length each (in characters), and no
//! character that hides or disguises what is written. A 1,000,000-character address once broke
//! every export of the registry, and a name with a right-to-left override or a zero-width space
//! reads like another person's on a list while it compares unequal to it.

use yuanzhu_rules::Lang;

/// A text field of a person's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    Name,
    Phone,
    Address,
    HouseholdRef,
    Relation,
    /// A file's `ref` column, echoed in the import report.
    Reference,
    /// The note of a transfer of residence.
    Note,
}

impl TextField {
    pub const ALL: [TextField; 7] = [
        TextField::Name,
        TextField::Phone,
        TextField::Address,
        TextField::HouseholdRef,
        TextField::Relation,
        TextField::Reference,
        TextField::Note,
    ];

    /// The column or key that carries it.
    pub const fn key(self) -> &'static str {
        match self {
            TextField::Name => "name",
            TextField::Phone => "phone",
            TextField::Address => "address",
            TextField::HouseholdRef => "household_ref",
            TextField::Relation => "relation",
            TextField::Reference => "ref",
            TextField::Note => "note",
        }
    }

    pub fn from_key(key: &str) -> Option<TextField> {
        TextField::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The most characters it holds: above any real value (the longest names of China's
    /// minorities written in Chinese characters run to about 20; an address with its building and
    /// room to about 60), and small enough that no cell can swamp a page, a list or an export.
    pub const fn max_chars(self) -> usize {
        match self {
            TextField::Name => 50,
            // Before spaces, hyphens and +86 are taken out.
            TextField::Phone => 20,
            TextField::Address => 200,
            TextField::HouseholdRef => 40,
            TextField::Relation => 20,
            TextField::Reference => 64,
            TextField::Note => 500,
        }
    }

    /// How the field is called on the forms, for messages.
    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (TextField::Name, Lang::Zh) => "姓名",
            (TextField::Phone, Lang::Zh) => "联系电话",
            (TextField::Address, Lang::Zh) => "住址",
            (TextField::HouseholdRef, Lang::Zh) => "家庭编号",
            (TextField::Relation, Lang::Zh) => "与户主关系",
            (TextField::Reference, Lang::Zh) => "编号（ref）",
            (TextField::Note, Lang::Zh) => "说明",
            (TextField::Name, Lang::En) => "name",
            (TextField::Phone, Lang::En) => "phone",
            (TextField::Address, Lang::En) => "address",
            (TextField::HouseholdRef, Lang::En) => "household reference",
            (TextField::Relation, Lang::En) => "relation to the head of household",
            (TextField::Reference, Lang::En) => "ref",
            (TextField::Note, Lang::En) => "note",
        }
    }

    /// Line breaks and tabs belong in an address or a note copied from a letter, nowhere else.
    const fn takes_line_breaks(self) -> bool {
        matches!(self, TextField::Address | TextField::Note)
    }
}

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    TooLong {
        max: usize,
        found: usize,
    },
    /// A control character, NUL, a bidirectional override or isolate, or a zero-width character.
    Hidden(char),
}

impl TextProblem {
    /// The stable error code.
    pub const fn code(self) -> &'static str {
        match self {
            TextProblem::TooLong { .. } => "too_long",
            TextProblem::Hidden(_) => "invalid_field",
        }
    }

    pub fn message(self, field: TextField, lang: Lang) -> String {
        let label = field.label(lang);
        match (self, lang) {
            (TextProblem::TooLong { max, found }, Lang::Zh) => format!("{label}过长：最多{max}个字符，现有{found}个"),
            (TextProblem::TooLong { max, found }, Lang::En) => {
                format!("{label} is too long: {max} characters at most, {found} given")
            }
            (TextProblem::Hidden(c), Lang::Zh) => {
                format!("{label}含有不可见或改变书写方向的字符（U+{:04X}），请删除后重新输入", u32::from(c))
            }
            (TextProblem::Hidden(c), Lang::En) => format!(
                "{label} holds an invisible or direction-changing character (U+{:04X}): delete it and type the text again",
                u32::from(c)
            ),
        }
    }
}

/// Characters that change how the text around them is shown without being seen themselves:
/// bidirectional embeddings, overrides and isolates, and zero-width spaces and joiners.
pub fn is_hidden_formatting(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Checks a field's text: its length in characters, and its characters.
pub fn check(field: TextField, text: &str) -> Result<(), TextProblem> {
    let mut found = 0;
    for c in text.chars() {
        found += 1;
        let allowed_break = field.takes_line_breaks() && matches!(c, '\t' | '\n' | '\r');
        if (c.is_control() && !allowed_break) || is_hidden_formatting(c) {
            return Err(TextProblem::Hidden(c));
        }
    }
    let max = field.max_chars();
    if found > max { Err(TextProblem::TooLong { max, found }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_controls_nul_bidi_overrides_and_zero_width_characters() {
        for bad in [
            "张\u{0}三",
            "张\u{7}三",
            "张\n三",
            "\u{202E}三张",
            "张\u{2066}三",
            "张\u{200B}三",
            "张\u{2060}三",
            "\u{FEFF}张三",
        ] {
            assert!(matches!(check(TextField::Name, bad), Err(TextProblem::Hidden(_))), "{bad:?}");
        }
        for good in ["张三", "阿卜杜热合曼·买买提", "John Smith", "O'Brien"] {
            assert_eq!(check(TextField::Name, good), Ok(()), "{good}");
        }
    }

    #[test]
    fn an_address_may_break_lines_but_hold_no_other_control_character() {
        assert_eq!(check(TextField::Address, "东山路1号\r\n3楼\t301"), Ok(()));
        assert!(check(TextField::Address, "东山路\u{0}1号").is_err());
        assert!(check(TextField::HouseholdRef, "H\n1").is_err());
    }

    #[test]
    fn every_field_has_a_limit_counted_in_characters() {
        for field in TextField::ALL {
            let max = field.max_chars();
            assert_eq!(check(field, &"张".repeat(max)), Ok(()), "{field:?}");
            let e = check(field, &"张".repeat(max + 1)).unwrap_err();
            assert_eq!(e, TextProblem::TooLong { max, found: max + 1 });
            assert!(e.message(field, Lang::Zh).contains(&max.to_string()));
            assert!(!e.message(field, Lang::En).chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
            assert_eq!(TextField::from_key(field.key()), Some(field));
        }
    }
}
