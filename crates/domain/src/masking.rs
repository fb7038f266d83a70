//! Identity numbers as lists show them to roles that do not work the case: the ends kept, the
//! middle starred. A phone number keeps what places it (a mobile's network prefix, a landline's
//! area code) and its last four digits, which is what a caller checks it by; an ID number keeps its
//! address code and its last four characters.
//!
//! [`masked_text`] finds the same numbers inside free text (a contact note, the before and after
//! of the timeline's events), where nothing says which digits are a number: it looks for their
//! shapes and leaves alone what merely contains digits (dates, unit codes, record IDs).

/// A name as shown of someone outside the user's jurisdiction: the first character, then one
/// star for each other (`张**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// An ID number as lists show it: `440106********123X`.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// A phone number as lists show it: a mobile's first three digits and a landline's area code,
/// then the last four digits, the rest starred and any separator kept: `138****5678`,
/// `020-****1234`, `020****1234`, `0755****5678`, `****1234` (a local number without its area
/// code). Anything shorter than seven characters is starred whole.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let digits: String = chars.iter().filter(|c| c.is_ascii_digit()).collect();
    // How many characters at the front stay as they are.
    let head = if is_mobile(&digits) {
        // The first three digits, wherever separators fall among them.
        chars.iter().scan(0, |seen, c| (*seen < 3).then(|| *seen += usize::from(c.is_ascii_digit()))).count()
    } else if digits.starts_with('0') && digits.len() >= 10 {
        match chars.iter().position(|c| !c.is_ascii_digit()) {
            // Typed with a separator after the area code: keep up to and including it.
            Some(sep) if (3..=4).contains(&sep) => sep + 1,
            _ => area_code_len(&digits),
        }
    } else if digits.len() == chars.len() && !digits.starts_with(['0', '1']) && digits.len() <= 8 {
        // A local landline number: no area code to keep.
        0
    } else {
        3
    };
    let keep_from = digits_from_end(&chars, 4);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i >= head && i < keep_from && c.is_ascii_digit() { '*' } else { *c })
        .collect()
}

/// Where the last `n` digits of `chars` begin.
fn digits_from_end(chars: &[char], n: usize) -> usize {
    let mut seen = 0;
    for (i, c) in chars.iter().enumerate().rev() {
        if c.is_ascii_digit() {
            seen += 1;
            if seen == n {
                return i;
            }
        }
    }
    0
}

/// An 11-digit mobile number: 1, then 3–9, then nine digits.
fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// The length of a landline's area code, its leading 0 included: 010 and 02x are three digits,
/// every other area code in China four.
fn area_code_len(digits: &str) -> usize {
    if digits.starts_with("01") || digits.starts_with("02") { 3 } else { 4 }
}

/// `s` with every ID number, mobile and landline number found in it masked; `None` when it holds
/// none. Recognised: ID numbers (15 or 18 characters, the last may be `X`); mobiles of 11 digits,
/// alone or as `138-0013-8000` or `138 0013 8000`; landlines with their area code (`020-83001234`,
/// `02083001234`, `0755 12345678`); local numbers of 7 or 8 digits not starting with 0 or 1
/// (`83001234`). A number touching a letter is part of something else (a hash, a code), and a
/// record ID (a UUID) is left whole.
pub fn masked_text(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut last, mut changed) = (0, 0, false);
    while i < bytes.len() {
        if let Some(len) = uuid_at(bytes, i) {
            i += len;
            continue;
        }
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let run_end = run(bytes, i, |b| b.is_ascii_digit() || b == b'X' || b == b'x');
        let Some(end) = number_at(s, start, run_end) else {
            i = run_end;
            continue;
        };
        let number = &s[start..end];
        out.push_str(&s[last..start]);
        if matches!(number.len(), 15 | 18) && !number.contains(['-', ' ']) {
            out.push_str(&mask_id_number(number));
        } else {
            out.push_str(&mask_phone(number));
        }
        last = end;
        i = end;
        changed = true;
    }
    changed.then(|| {
        out.push_str(&s[last..]);
        out
    })
}

/// The end of the run of bytes from `i` that `keep` accepts.
fn run(bytes: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && keep(bytes[i]) {
        i += 1;
    }
    i
}

/// Where the number starting at `start` ends, if the text there is an identity number; the run of
/// digits (and `X`) there ends at `run_end`.
fn number_at(s: &str, start: usize, run_end: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let first = &s[start..run_end];
    if matches!(first.len(), 15 | 18) {
        // ID numbers are masked wherever they stand, as before landlines were known.
        return Some(run_end);
    }
    if !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if first.len() == 11 && first.starts_with('1') {
        return Some(run_end);
    }
    let touches_letter = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_alphabetic);
    if (start > 0 && touches_letter(start - 1)) || touches_letter(run_end) {
        return None;
    }
    // Groups joined by one hyphen or space: 020-83001234, 138 0013 8000.
    let mut groups = vec![(start, run_end)];
    let mut end = run_end;
    while groups.len() < 3 && matches!(bytes.get(end), Some(b'-' | b' ')) {
        let next_end = run(bytes, end + 1, |b| b.is_ascii_digit());
        if next_end == end + 1 || touches_letter(next_end) {
            break;
        }
        groups.push((end + 1, next_end));
        end = next_end;
    }
    let lens: Vec<usize> = groups.iter().map(|(a, b)| b - a).collect();
    let digits: String = groups.iter().map(|&(a, b)| &s[a..b]).collect();
    // The longest reading first: a split mobile, then an area code and its number.
    if lens.len() == 3 && lens == [3, 4, 4] && is_mobile(&digits) {
        return Some(groups[2].1);
    }
    if lens.len() >= 2 && first.starts_with('0') && (3..=4).contains(&lens[0]) && (7..=8).contains(&lens[1]) {
        return Some(groups[1].1);
    }
    let local = |len: usize| (7..=8).contains(&len) && !first.starts_with(['0', '1']);
    let with_area_code = |len: usize| (10..=12).contains(&len) && first.starts_with('0');
    (local(first.len()) || with_area_code(first.len())).then_some(run_end)
}

/// The length of a UUID (8-4-4-4-12 hexadecimal digits) starting at `i` on a word boundary.
fn uuid_at(bytes: &[u8], i: usize) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut at = i;
    for (n, len) in GROUPS.iter().enumerate() {
        if n > 0 {
            (bytes.get(at) == Some(&b'-')).then_some(())?;
            at += 1;
        }
        let end = run(bytes, at, |b| b.is_ascii_hexdigit());
        (end - at == *len).then_some(())?;
        at = end;
    }
    Some(at - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_keeps_its_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李");
        assert_eq!(mask_name("  "), "");
    }

    #[test]
    fn phones_keep_what_places_them_and_the_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("020-83001234"), "020-****1234");
        assert_eq!(mask_phone("02083001234"), "020****1234");
        assert_eq!(mask_phone("075512345678"), "0755****5678");
        assert_eq!(mask_phone("0755-1234567"), "0755-***4567");
        assert_eq!(mask_phone("83001234"), "****1234");
        assert_eq!(mask_phone("8300123"), "***0123");
        assert_eq!(mask_phone("138-0013-8000"), "138-****-8000");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn id_numbers_keep_the_address_code_and_last_four() {
        assert_eq!(mask_id_number("44010619900101123X"), "440106********123X");
        assert_eq!(mask_id_number("440106900101123"), "440106*****1123");
    }

    #[test]
    fn numbers_inside_text_are_masked_by_their_shape() {
        let cases = [
            ("电话020-83001234，手机13812345678", "电话020-****1234，手机138****5678"),
            ("{\"phone\":\"02083001234\"}", "{\"phone\":\"020****1234\"}"),
            ("tel 83001234.", "tel ****1234."),
            ("0755 12345678", "0755 ****5678"),
            ("138 0013 8000 or 138-0013-8000", "138 **** 8000 or 138-****-8000"),
            ("证件 44010619900101123X 旧证 440106900101123", "证件 440106********123X 旧证 440106*****1123"),
        ];
        for (text, masked) in cases {
            assert_eq!(masked_text(text).as_deref(), Some(masked), "{text}");
        }
    }

    #[test]
    fn dates_unit_codes_hashes_and_record_ids_are_not_phone_numbers() {
        for text in [
            "2016-05-01",
            "2026-11-26T08:30:00.123456Z",
            "440104011 440104011001 440104",
            "4401041234",
            "a83001234b",
            "hash 3f2a83001234de",
            "019a2b3c-4d5e-7f60-8123-012345678901",
            "01234567-0123-7012-8012-123456789012",
            "共 12 行，用时 3 秒",
        ] {
            assert_eq!(masked_text(text), None, "{text}");
        }
    }
}
