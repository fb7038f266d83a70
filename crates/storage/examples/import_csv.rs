//! A fixed synthetic registration file for the import benchmark (BENCHMARKS.md, issue #3):
//! `ROWS` rows in the import format, the same bytes for the same arguments on any machine.
//!
//!     cargo run --release -p yuanzhu-storage --example import_csv -- 100000 > import-100k.csv
//!     cargo run --release -p yuanzhu-storage --example import_csv -- 100000 7 > other-seed.csv
//!
//! Columns are the contract's field names plus `name`, `phone`, `address`, `residence_unit`,
//! `registered_on`, `household_ref` and `relation`. Residence units are the streets and towns of
//! the shipped unit tree, so the file imports into a database after `yuanzhu db init` alone.
//! About 2% of rows are a second registration of a recent row's person a year later (the same
//! record), and one group of three persons in ten shares a household.
//!
//! The persons resemble `yuanzhu demo`'s but are drawn here on purpose: the benchmark's input
//! must stay the same file when the demo registry changes.

use std::io::Write;

use yuanzhu_rules::synthetic::{ID_KEYS, ID_STRIDE, SplitMix, with_check};

const DIVISIONS: &str = include_str!("../../../data/gz-divisions.csv");

const BOOLS: [(&str, u64); 12] = [
    ("hukou_local", 900),
    ("registered_unemployed", 1000),
    ("without_work", 990),
    ("able_to_work", 970),
    ("willing_to_be_assisted", 950),
    ("rural_to_urban", 80),
    ("disabled", 30),
    ("zero_employment_family", 20),
    ("minimum_living_allowance", 40),
    ("low_income_family", 40),
    ("single_parent_raising_children", 20),
    ("college_graduate", 50),
];

/// Days since 1970-01-01 as (year, month, day) (civil-from-days, H. Hinnant).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// 1955-01-01, 2014-02-01 and 2023-08-01 as days since 1970-01-01.
const BIRTH_FROM: i64 = -5479;
const GZ_FROM: i64 = 16_102;
const GD_FROM: i64 = 19_570;

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|n| n.parse().ok()).expect("usage: import_csv ROWS [SEED]");
    let seed: u64 = args.next().map_or(20_140_120, |s| s.parse().expect("SEED is a number"));
    let streets: Vec<&str> = DIVISIONS
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[2] == "street" || cells[2] == "town").then_some(cells[0])
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let bools: Vec<&str> = BOOLS.iter().map(|(n, _)| *n).collect();
    writeln!(
        out,
        "ref,id_number,name,phone,address,residence_unit,registered_on,household_ref,relation,female_retirement_track,\
         unemployed_since,parent_certificates,{}",
        bools.join(",")
    )
    .expect("stdout");
    // Persons made so far: a repeat picks one of the last 50.
    let mut person = 0u64;
    for i in 0..rows {
        let mut r = SplitMix(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        // A repeat registers an earlier person again a year later: the same facts drawn again.
        let repeat = i > 0 && r.chance(20);
        let p = if repeat { person - 1 - r.below(person.min(50)) } else { person };
        if !repeat {
            person += 1;
        }
        let mut f = SplitMix(seed.wrapping_add(p.wrapping_mul(0x9E37_79B9)));
        let key = (p * ID_STRIDE + seed) % ID_KEYS;
        let street = streets[(key % streets.len() as u64) as usize];
        let district = &street[..6];
        let birth = BIRTH_FROM + ((key / 11) % 16_000) as i64;
        let (by, bm, bd) = civil(birth);
        let sequence = key / (11 * 16_000);
        let id = with_check(&format!("{district}{by:04}{bm:02}{bd:02}{sequence:03}"));
        let registered = if f.chance(700) { GZ_FROM + f.below(1800) as i64 } else { GD_FROM + f.below(800) as i64 };
        let first = registered;
        let registered = if repeat { registered + 365 } else { registered };
        let name = f.name();
        let phone = format!("1{}{:09}", 3 + f.below(7), f.below(1_000_000_000));
        let address = format!("演示地址{}号", f.below(999) + 1);
        let female = sequence.is_multiple_of(2);
        let track = if female && f.chance(300) { "cadre" } else { "" };
        // The record is the person's, whichever registration the row is: importing the file again
        // finds every person unchanged.
        let unemployed_since = date(first - f.below(720) as i64);
        let values: Vec<bool> = BOOLS.iter().map(|(_, per_mille)| f.chance(*per_mille)).collect();
        let graduate = values[BOOLS.len() - 1];
        let certificates = if graduate && f.chance(300) { "urban_minimum_living" } else { "" };
        // Persons come in threes; one group in ten is a household.
        let group = p / 3;
        let (household, relation) = if SplitMix(seed ^ group.wrapping_mul(0xD6E8_FEB8_6659_FD93)).chance(100) {
            (format!("H{group:07}"), if p % 3 == 0 { "head" } else { "member" })
        } else {
            (String::new(), "")
        };
        let flags: Vec<&str> = values.iter().map(|v| if *v { "true" } else { "" }).collect();
        writeln!(
            out,
            "r{i},{id},{name},{phone},{address},{street},{},{household},{relation},{track},{unemployed_since},{certificates},{}",
            date(registered),
            flags.join(",")
        )
        .expect("stdout");
    }
    out.flush().expect("stdout");
}
