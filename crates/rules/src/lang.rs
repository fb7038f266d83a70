//! The languages explanations and messages are written in: Chinese first, English available.

/// A user's language. Chinese (zh-CN) is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh`, `zh-CN`, `en`, `en-GB`… (case-insensitive); `None` for anything else.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, else Chinese.
    pub fn from_accept_language(header: &str) -> Lang {
        header.split(',').find_map(|part| Lang::parse(part.split(';').next().unwrap_or("").trim())).unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_default_and_english_is_recognised() {
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("ZH_cn"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }
}
