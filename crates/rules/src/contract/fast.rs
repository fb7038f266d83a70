//! The fast path for clean CSV rows: cells are decoded straight into [`Facts`] as the row is
//! split, without the generic record. Any cell it does not find clean (a value to reject, an ID
//! number to check, a missing field, a date after `as_of`) sends the row back to the generic
//! [`validate`](super::record::validate), which alone decides errors. So this path can only ever
//! produce the result the generic one would, and a property test holds it to that.

use super::fields::{Field, Kind};
use super::record::{Context, Valid, cell_bool, certificate, missing};
use crate::calendar::Date;
use crate::clock::{Clock, Cutoffs};
use crate::facts::{FactSet, Facts, FemaleRetirementTrack, Sex};
use crate::policy::{Outcome, Policy};

/// How a column's cell is decoded.
#[derive(Debug, Clone, Copy)]
enum Decode {
    Ref,
    Date(Field),
    Fact(crate::facts::Fact),
    Sex,
    Track,
    Certificates,
    /// Only the generic path decodes this column (the ID number).
    Generic,
}

/// A clean row: its `ref` cell, and the record ready for the rules.
pub(super) type CleanRow<'a, 'p> = (Option<&'a [u8]>, Valid<'p>);

/// The per-column decoders of one CSV header.
#[derive(Debug, Clone)]
pub(super) struct FastCsv {
    /// Each column's decoder and the bit of its field in [`Decoded::present`].
    decoders: Vec<(Decode, u32)>,
}

/// The policy chosen for the last `as_of` text seen: files usually share one date.
#[derive(Debug, Default)]
pub(super) struct DateCache<'a, 'p> {
    last: Option<(&'a [u8], Date, &'p Policy, bool)>,
    /// Rows seen in a row on the cached date, and the batch clock once they are many.
    hits: u32,
    cutoffs: Option<Box<Cutoffs>>,
}

/// Rows on one date before building its [`Cutoffs`] (some microseconds) pays off.
const CUTOFFS_AFTER: u32 = 256;

impl FastCsv {
    pub fn new(columns: &[Field]) -> FastCsv {
        let decoders = columns
            .iter()
            .map(|&f| match f.kind() {
                Kind::Text if f == Field::Ref => Decode::Ref,
                Kind::Text => Decode::Generic,
                Kind::Date => Decode::Date(f),
                Kind::Bool => Decode::Fact(f.fact().expect("every boolean field is a fact")),
                Kind::Sex => Decode::Sex,
                Kind::Track => Decode::Track,
                Kind::Certificates => Decode::Certificates,
            })
            .zip(columns.iter().map(|&f| 1u32 << f as u8))
            .collect();
        FastCsv { decoders }
    }

    /// Decodes the row that starts at `start`, taking its separators from `seps`. Returns where
    /// the row ends (its line break, or the end of the text) and, when the row is clean, its
    /// `ref` cell and assessment; `None` there means the generic path must decide.
    #[inline]
    pub fn row<'a, 'p>(
        &self,
        text: &'a str,
        start: usize,
        seps: &mut Separators<'_>,
        context: &Context<'p>,
        dates: &mut DateCache<'a, 'p>,
    ) -> (usize, Option<CleanRow<'a, 'p>>) {
        let bytes = text.as_bytes();
        let mut decoded = Decoded::default();
        let mut cell_start = start;
        let (last, others) = self.decoders.split_last().expect("a header names at least one column");
        // Every cell but the last ends at a comma; anything unusual goes to the generic path,
        // which is handed the whole line.
        for &(decoder, bit) in others {
            let (end, line_end) = seps.next_separator();
            if line_end {
                return (end, None);
            }
            if end > cell_start {
                decoded.present |= bit;
                if decoded.cell(decoder, &bytes[cell_start..end]).is_none() {
                    return (seps.line_end(), None);
                }
            }
            cell_start = end + 1;
        }
        let (end, line_end) = seps.next_separator();
        if !line_end {
            return (seps.line_end(), None);
        }
        let cell = &bytes[cell_start..end];
        let cell = cell.strip_suffix(b"\r").unwrap_or(cell);
        if !cell.is_empty() {
            decoded.present |= last.1;
            if decoded.cell(last.0, cell).is_none() {
                return (end, None);
            }
        }
        (end, decoded.finish(context, dates))
    }
}

/// The values of a row decoded so far.
#[derive(Default)]
struct Decoded<'a> {
    present: u32,
    reference: Option<&'a [u8]>,
    as_of: Option<&'a [u8]>,
    birth: Option<Date>,
    since: Option<Date>,
    registered: Option<Date>,
    sex: Option<Sex>,
    track: FemaleRetirementTrack,
    facts: FactSet,
    certificates: u8,
}

impl<'a> Decoded<'a> {
    /// Takes one non-empty cell; `None` when it is not clean. Cells are bytes of text already
    /// checked as UTF-8, cut at ASCII separators.
    #[inline]
    fn cell(&mut self, decoder: Decode, cell: &'a [u8]) -> Option<()> {
        match decoder {
            Decode::Ref => self.reference = Some(cell),
            Decode::Date(field) => match field {
                Field::AsOf => self.as_of = Some(cell),
                Field::BirthDate => self.birth = Some(Date::parse_bytes(cell).ok()?),
                Field::UnemployedSince => self.since = Some(Date::parse_bytes(cell).ok()?),
                _ => self.registered = Some(Date::parse_bytes(cell).ok()?),
            },
            Decode::Fact(fact) => {
                let value = match *cell {
                    [b't', b'r', b'u', b'e'] => true,
                    [b'f', b'a', b'l', b's', b'e'] => false,
                    _ => cell_bool(std::str::from_utf8(cell).ok()?)?,
                };
                self.facts.set(fact, value);
            }
            Decode::Sex => {
                self.sex = Some(match *cell {
                    [b'm', b'a', b'l', b'e'] => Sex::Male,
                    [b'f', b'e', b'm', b'a', b'l', b'e'] => Sex::Female,
                    _ => return None,
                });
            }
            Decode::Track => {
                self.track = match *cell {
                    [b'w', b'o', b'r', b'k', b'e', b'r'] => FemaleRetirementTrack::Worker,
                    [b'c', b'a', b'd', b'r', b'e'] => FemaleRetirementTrack::Cadre,
                    _ => return None,
                };
            }
            Decode::Certificates => {
                for name in cell.split(|&b| b == b';') {
                    self.certificates |= certificate(std::str::from_utf8(name).ok()?).ok()?;
                }
            }
            Decode::Generic => return None,
        }
        Some(())
    }

    fn finish<'p>(self, context: &Context<'p>, dates: &mut DateCache<'a, 'p>) -> Option<CleanRow<'a, 'p>> {
        let (as_of, policy, in_force) = dates.resolve(self.as_of, context)?;
        if missing(|f| self.present & (1 << f as u8) != 0, policy).is_some() {
            return None;
        }
        let after = |d: Option<Date>| d.is_some_and(|d| d > as_of);
        if after(self.birth) || after(self.since) || after(self.registered) {
            return None;
        }
        let facts = Facts {
            birth_date: self.birth?,
            sex: self.sex?,
            female_retirement_track: self.track,
            facts: self.facts,
            parent_certificates: self.certificates,
            unemployed_since: self.since,
            unemployment_registered_on: self.registered,
        };
        Some((self.reference, Valid { as_of, policy, in_force, facts }))
    }
}

/// The positions of commas and line breaks in a text, found eight bytes at a time (SWAR): a
/// branch per separator instead of one per byte, and no second look at the byte to tell a line
/// break from a comma.
#[derive(Debug)]
pub(super) struct Separators<'t> {
    bytes: &'t [u8],
    /// Start of the 64-byte block the masks describe.
    base: usize,
    /// Separators not yet taken, and which of all the block's separators are line breaks.
    mask: u64,
    newlines: u64,
}

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The high bit of every byte of `word` that equals `byte`, exactly.
#[inline]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    let t = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((t & LOW7) + LOW7) | t | LOW7)
}

/// Gathers the high bit of each byte into one byte, byte i to bit i.
#[inline]
fn gather(high_bits: u64) -> u64 {
    (high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// (separators, line breaks) of a block of at most 64 bytes.
#[inline]
fn block_masks(block: &[u8]) -> (u64, u64) {
    let (mut commas, mut newlines) = (0u64, 0u64);
    let mut add = |k: usize, w: u64| {
        commas |= gather(bytes_equal(w, b',')) << (k * 8);
        newlines |= gather(bytes_equal(w, b'\n')) << (k * 8);
    };
    if let Ok(full) = <&[u8; 64]>::try_from(block) {
        for k in 0..8 {
            add(k, u64::from_le_bytes(full[k * 8..k * 8 + 8].try_into().expect("eight bytes")));
        }
    } else {
        for (k, chunk) in block.chunks(8).enumerate() {
            // Padding bytes are zero and never match.
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            add(k, u64::from_le_bytes(word));
        }
    }
    (commas | newlines, newlines)
}

impl<'t> Separators<'t> {
    pub fn new(bytes: &'t [u8], from: usize) -> Separators<'t> {
        let base = from - from % 64;
        let (mask, newlines) = block_masks(&bytes[base..bytes.len().min(base + 64)]);
        let mask = mask & u64::MAX.checked_shl((from - base) as u32).unwrap_or(0);
        Separators { bytes, base, mask, newlines }
    }

    /// The next separator: its position and whether it ends a line. The end of the text is a
    /// line end at `bytes.len()`.
    #[inline]
    pub fn next_separator(&mut self) -> (usize, bool) {
        while self.mask == 0 {
            self.base += 64;
            if self.base >= self.bytes.len() {
                self.base = self.bytes.len();
                return (self.bytes.len(), true);
            }
            (self.mask, self.newlines) = block_masks(&self.bytes[self.base..self.bytes.len().min(self.base + 64)]);
        }
        let i = self.mask.trailing_zeros();
        self.mask &= self.mask - 1;
        (self.base + i as usize, self.newlines >> i & 1 == 1)
    }

    /// Skips to the next line break; its position, or the text's length at its end.
    pub fn line_end(&mut self) -> usize {
        loop {
            if let (at, true) = self.next_separator() {
                return at;
            }
        }
    }
}

impl<'a, 'p> DateCache<'a, 'p> {
    /// The outcome of a row of the cached date, with the batch clock when it has been built.
    #[inline]
    pub fn evaluate(&self, valid: &Valid<'_>) -> Outcome {
        match &self.cutoffs {
            Some(c) if c.on() == valid.as_of => valid.policy.evaluate(&valid.facts, &**c),
            _ => valid.policy.assess(&valid.facts, valid.as_of),
        }
    }

    /// The assessment date and policy of a row; `None` when the generic path must decide.
    #[inline]
    fn resolve(&mut self, as_of: Option<&'a [u8]>, context: &Context<'p>) -> Option<(Date, &'p Policy, bool)> {
        let text = as_of.unwrap_or_default();
        if let Some((last, date, policy, in_force)) = self.last
            && same_short_text(last, text)
        {
            self.hits += 1;
            if self.hits == CUTOFFS_AFTER {
                self.cutoffs = Some(Box::new(Cutoffs::new(date)));
            }
            return Some((date, policy, in_force));
        }
        self.hits = 0;
        self.cutoffs = None;
        let date = match as_of {
            Some(t) => Date::parse_bytes(t).ok()?,
            None => context.default_date,
        };
        let (policy, in_force) = match context.forced {
            Some(p) => (p, p.in_force_on(date)),
            None => (context.policies.in_force_on(date)?, true),
        };
        self.last = Some((text, date, policy, in_force));
        Some((date, policy, in_force))
    }
}

/// Equality of two short texts (dates), without a call to memcmp.
#[inline]
fn same_short_text(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}
