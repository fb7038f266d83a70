//! The rules' benchmarks: the batch path in persons per second on 1 and 2 threads, and one
//! assessment with its explanation. Data come from a fixed synthetic generator (splitmix64).
//!
//!     cargo bench -p yuanzhu-rules --bench assess

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use yuanzhu_rules::batch::assess_with;
use yuanzhu_rules::clock::Cutoffs;
use yuanzhu_rules::contract::{Assessor, Context, OutputFormat, Tally};
use yuanzhu_rules::synthetic::SplitMix;
use yuanzhu_rules::{Date, Fact, Facts, FemaleRetirementTrack, Lang, Outcome, PolicySet, Sex};

/// A registry-like population: working-age births, most preconditions met, some hardship facts.
fn population(n: usize, seed: u64) -> Vec<Facts> {
    let mut r = SplitMix(seed);
    let base = Date::parse("1950-01-01").unwrap().to_days();
    (0..n)
        .map(|_| {
            let birth = Date::from_days(base + r.below(60 * 365) as i64).unwrap();
            let sex = if r.below(2) == 0 { Sex::Female } else { Sex::Male };
            let mut f = Facts::born(birth, sex);
            for (fact, per_mille) in [
                (Fact::HukouLocal, 900),
                (Fact::HukouInProvince, 950),
                (Fact::RegisteredUnemployed, 950),
                (Fact::WithoutWork, 950),
                (Fact::AbleToWork, 970),
                (Fact::WillingToBeAssisted, 960),
                (Fact::RuralToUrban, 100),
                (Fact::Disabled, 40),
                (Fact::ZeroEmploymentFamily, 30),
                (Fact::MinimumLivingAllowance, 50),
                (Fact::LowIncomeFamily, 50),
                (Fact::SingleParentRaisingChildren, 30),
                (Fact::CollegeGraduate, 100),
                (Fact::Veteran, 20),
            ] {
                if r.below(1000) < per_mille {
                    f = f.with(fact);
                }
            }
            if r.below(3) == 0 {
                f.female_retirement_track = FemaleRetirementTrack::Cadre;
            }
            let start = Date::parse("2014-06-01").unwrap().to_days();
            if r.below(10) != 0 {
                f.unemployed_since = Date::from_days(start + r.below(3000) as i64);
                f.unemployment_registered_on = f.unemployed_since;
            }
            f
        })
        .collect()
}

fn batch(c: &mut Criterion) {
    let set = PolicySet::embedded();
    let n = 1 << 20;
    let people = population(n, 20_160_601);
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(n as u64));
    for (policy_id, on) in [("gz-2014-4", "2016-06-01"), ("gd-2023-11", "2026-06-01")] {
        let policy = set.by_id(policy_id).unwrap();
        let clock = Cutoffs::new(Date::parse(on).unwrap());
        let mut out = vec![Outcome::default(); n];
        group.bench_function(BenchmarkId::new(policy_id, "1 thread"), |b| {
            b.iter(|| assess_with(policy, &clock, black_box(&people), &mut out));
        });
        group.bench_function(BenchmarkId::new(policy_id, "2 threads"), |b| {
            b.iter(|| {
                let (pa, pb) = people.split_at(n / 2);
                let (oa, ob) = out.split_at_mut(n / 2);
                std::thread::scope(|s| {
                    s.spawn(|| assess_with(policy, &clock, black_box(pa), oa));
                    assess_with(policy, &clock, black_box(pb), ob);
                });
            });
        });
    }
    group.finish();
    c.bench_function("cutoffs for one date", |b| {
        b.iter(|| Cutoffs::new(black_box(Date::parse("2016-06-01").unwrap())))
    });
}

fn single(c: &mut Criterion) {
    let set = PolicySet::embedded();
    let policy = set.by_id("gz-2014-4").unwrap();
    let on = Date::parse("2016-06-01").unwrap();
    let f = Facts::born(Date::parse("1975-01-01").unwrap(), Sex::Male)
        .with(Fact::HukouLocal)
        .with(Fact::RegisteredUnemployed)
        .with(Fact::AbleToWork)
        .with(Fact::WillingToBeAssisted)
        .with(Fact::MinimumLivingAllowance);
    c.bench_function("single/rules only", |b| b.iter(|| policy.assess(black_box(&f), black_box(on))));
    c.bench_function("single/with explanation", |b| {
        b.iter(|| {
            let o = policy.assess(black_box(&f), on);
            policy.explain(&f, on, o, Lang::Zh)
        })
    });
    let assessor = Assessor {
        context: Context { policies: &set, forced: None, default_date: on },
        lang: Lang::Zh,
        output: OutputFormat::Jsonl,
    };
    let line = br#"{"ref":"A-17","as_of":"2016-06-01","id_number":"440106197501011232","hukou_local":true,"registered_unemployed":true,"able_to_work":true,"willing_to_be_assisted":true,"minimum_living_allowance":true}"#;
    let mut out = Vec::with_capacity(1024);
    c.bench_function("single/contract JSON line in, result line out", |b| {
        b.iter(|| {
            out.clear();
            let mut tally = Tally::default();
            assessor.jsonl_line(black_box(line), &mut out, &mut tally);
        })
    });
}

criterion_group!(benches, batch, single);
criterion_main!(benches);
