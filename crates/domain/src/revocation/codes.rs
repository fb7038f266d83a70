//! The codes contact channels and refused services are stored and sent under (their serde names),
//! and the note a caseworker would have written for an attempt logged without one.

use super::{ContactChannel, Service};

impl ContactChannel {
    pub const ALL: [ContactChannel; 6] = [
        ContactChannel::Phone,
        ContactChannel::TextMessage,
        ContactChannel::HomeVisit,
        ContactChannel::Letter,
        ContactChannel::Online,
        ContactChannel::AtOffice,
    ];

    /// The stored code: the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            ContactChannel::Phone => "phone",
            ContactChannel::TextMessage => "text_message",
            ContactChannel::HomeVisit => "home_visit",
            ContactChannel::Letter => "letter",
            ContactChannel::Online => "online",
            ContactChannel::AtOffice => "at_office",
        }
    }

    pub fn parse(code: &str) -> Option<ContactChannel> {
        ContactChannel::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The note a caseworker would write, for a note left blank: logging an attempt takes two
    /// clicks (the channel, and whether the person was reached). It is the record's own words, in
    /// the office's language, not a label of the interface: it stays as written.
    pub const fn default_note(self, reached: bool) -> &'static str {
        match (self, reached) {
            (ContactChannel::Phone, false) => "电话未接通",
            (ContactChannel::Phone, true) => "电话联系到本人",
            (ContactChannel::TextMessage, false) => "短信未回复",
            (ContactChannel::TextMessage, true) => "短信已回复",
            (ContactChannel::HomeVisit, false) => "入户家访未见到本人",
            (ContactChannel::HomeVisit, true) => "入户家访见到本人",
            (ContactChannel::Letter, false) => "信函未回复",
            (ContactChannel::Letter, true) => "信函已回复",
            (ContactChannel::Online, false) => "网上联系未回复",
            (ContactChannel::Online, true) => "网上联系已回复",
            (ContactChannel::AtOffice, _) => "本人到场或来电",
        }
    }
}

/// What an unemployment registration counts as among contact attempts: the person came to the
/// office (第七条 实名登记), so they were reached that day.
pub const REGISTRATION_NOTE: &str = "失业登记（本人到场）";

impl Service {
    pub const ALL: [Service; 5] = [
        Service::JobReferral,
        Service::CareerGuidance,
        Service::VocationalTraining,
        Service::PublicWelfarePost,
        Service::Other,
    ];

    /// The stored code: the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            Service::JobReferral => "job_referral",
            Service::CareerGuidance => "career_guidance",
            Service::VocationalTraining => "vocational_training",
            Service::PublicWelfarePost => "public_welfare_post",
            Service::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serde_names_and_read_back() {
        for c in ContactChannel::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
            assert_eq!(ContactChannel::parse(c.code()), Some(c));
            assert!(!c.default_note(true).is_empty() && !c.default_note(false).is_empty());
        }
        for s in Service::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
            assert_eq!(Service::parse(s.code()), Some(s));
        }
        assert_eq!(ContactChannel::parse("fax"), None);
        assert_eq!(Service::parse(""), None);
    }
}
