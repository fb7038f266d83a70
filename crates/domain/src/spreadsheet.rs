//! Cells that a spreadsheet will open. Every CSV file the system writes (persons, ledgers, the
//! reports of rejected rows) is opened in Excel or WPS sooner or later, and both read a cell that
//! starts with `=`, `+`, `-` or `@` as a formula, a tab or carriage return first included
//! (`=HYPERLINK(…)` links away, `=cmd|' /C calc'!A0` runs a program). So, as OWASP advises, such
//! a cell goes out behind a single quote, which spreadsheets show as text and do not evaluate;
//! and the file starts with a UTF-8 byte-order mark, without which Excel on Chinese Windows reads
//! it as GBK and garbles every name.
//!
//! Reading a file back undoes exactly that: a leading quote followed by one of those characters is
//! dropped, so that an export imports back to the same values (`'-张` reads as `-张`). Any other
//! leading quote is part of the value. xlsx exports need none of this: their cells are written
//! as text, never as formulas.

use std::borrow::Cow;

/// The UTF-8 byte-order mark every CSV file the system writes starts with.
pub const BOM: &str = "\u{feff}";

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as written to a CSV file: behind a single quote if it would start a formula.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A cell of an imported file as its value: surrounding spaces dropped (but not a leading tab or
/// carriage return, which may be what makes the value dangerous and must stay visible to the
/// checks), and the quote [`neutralize`] put in front removed.
pub fn read_cell(cell: &str) -> &str {
    let cell = cell.trim_end().trim_start_matches([' ', '\u{3000}']);
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_would_start_a_formula_goes_out_behind_a_quote() {
        for (cell, written) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+SUM(1,1)", "'+SUM(1,1)"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
        ] {
            assert_eq!(neutralize(cell), written, "{cell:?}");
        }
        for cell in ["张三", "440106197501011232", "2016-03-01", "a=b", "", "'quoted"] {
            assert_eq!(neutralize(cell), cell);
        }
    }

    #[test]
    fn reading_back_undoes_the_quote_and_keeps_a_leading_tab() {
        for cell in ["=1+1", "-张", "@x", "\t=1+1", "'kept", "plain"] {
            assert_eq!(read_cell(&neutralize(cell)), cell, "{cell:?}");
        }
        assert_eq!(read_cell("\t=1+1"), "\t=1+1", "a leading tab is not whitespace to drop");
        assert_eq!(read_cell("  张三 \t"), "张三");
        assert_eq!(read_cell("'plain"), "'plain", "a quote before anything else is the value's");
    }

    #[test]
    fn an_imported_cell_keeps_its_leading_tab() {
        let text = "id_number,name,address,residence_unit,registered_on\n\
                    440106197501011232,张三,\"\t=1+1\",440104011,2016-03-01\n";
        let today = yuanzhu_rules::Date::parse("2026-11-26").unwrap();
        let rows = crate::registration::read_csv(text.as_bytes(), today, yuanzhu_rules::Lang::En).unwrap();
        assert_eq!(rows[0].as_ref().unwrap().address.as_deref(), Some("\t=1+1"));
    }
}
