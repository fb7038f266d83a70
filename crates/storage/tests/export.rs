//! Exports of the registry, run on both databases: SQLite (embedded) and PostgreSQL.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::export::{self, COLUMNS, PersonExportRow};
use yuanzhu_storage::{Store, persons};

/// A fresh SQLite file, and a fresh PostgreSQL database when PostgreSQL is installed.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    common::stores("export").await
}

const HEADER: &str = "ref,id_number,name,phone,address,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled";

/// Registers the CSV lines (under [`HEADER`]) in one batch.
async fn import(store: &Store, lines: &[&str]) {
    let text = std::iter::once(HEADER).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
    let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect();
    let units = persons::unit_codes(store).await.unwrap();
    let s = persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    assert!(s.rejected.is_empty(), "{:?}", s.rejected);
}

// A man born 1975-01-01, 41 when registered in 2016: 大龄 (第三条第（一）项) is recognised at
// registration (第四条). He registers again in 2017.
const MAN: &str =
    "a,440106197501011232,张三,13800138000,\"越秀区东山街道, 1号\",440104011,2016-03-01,true,true,true,true,";
const MAN_AGAIN: &str =
    "a2,440106197501011232,张三,13800138000,\"越秀区东山街道, 1号\",440104011,2017-06-01,true,true,true,true,";
// A woman born 1949-12-31 with a landline: no category, and a leading zero a spreadsheet would drop.
const WOMAN: &str = "b,11010519491231002X,李四,020-83826770,,440104011,2016-03-01,true,true,true,true,";

fn expected() -> Vec<PersonExportRow> {
    vec![
        PersonExportRow {
            id_number: "11010519491231002X".into(),
            name: "李四".into(),
            sex: "female".into(),
            birth_date: "1949-12-31".into(),
            phone: Some("02083826770".into()),
            address: None,
            residence_unit: "440104011".into(),
            latest_registration: Some("2016-03-01".into()),
            categories: vec![],
        },
        PersonExportRow {
            id_number: "440106197501011232".into(),
            name: "张三".into(),
            sex: "male".into(),
            birth_date: "1975-01-01".into(),
            phone: Some("13800138000".into()),
            address: Some("越秀区东山街道, 1号".into()),
            residence_unit: "440104011".into(),
            latest_registration: Some("2017-06-01".into()),
            categories: vec!["older_unemployed".into()],
        },
    ]
}

#[tokio::test]
async fn persons_are_exported_with_their_current_categories_and_latest_registration() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        assert_eq!(export::persons_rows(&store).await.unwrap(), [], "an empty registry exports no one");
        import(&store, &[MAN, WOMAN]).await;
        import(&store, &[MAN_AGAIN]).await;
        assert_eq!(export::persons_rows(&store).await.unwrap(), expected(), "{:?}", store.backend());

        // A recognition that has ended is no longer a current category.
        sqlx::query("UPDATE recognitions SET ended_on = '2018-01-01', end_reason = 'employed'")
            .execute(store.pool())
            .await
            .unwrap();
        let rows = export::persons_rows(&store).await.unwrap();
        assert!(rows.iter().all(|r| r.categories.is_empty()), "{rows:?}");
    }
}

#[tokio::test]
async fn an_export_reads_back_the_same_as_csv_and_as_xlsx_with_text_cells() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &[MAN, WOMAN, MAN_AGAIN]).await;
        let rows = export::persons_rows(&store).await.unwrap();
        let expected_cells: Vec<Vec<String>> = std::iter::once(COLUMNS.map(str::to_owned).to_vec())
            .chain(expected().iter().map(|p| {
                vec![
                    p.id_number.clone(),
                    p.name.clone(),
                    p.sex.clone(),
                    p.birth_date.clone(),
                    p.phone.clone().unwrap_or_default(),
                    p.address.clone().unwrap_or_default(),
                    p.residence_unit.clone(),
                    p.latest_registration.clone().unwrap_or_default(),
                    p.categories.join(";"),
                ]
            }))
            .collect();

        let mut csv_bytes = Vec::new();
        export::write_csv(&rows, &mut csv_bytes).unwrap();
        let from_csv: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_bytes.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(from_csv, expected_cells);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("persons.xlsx");
        export::write_xlsx(&rows, &path).unwrap();
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<&[Data]> = sheet.rows().collect();
        let as_text = |d: &Data| match d {
            Data::String(s) => s.clone(),
            Data::Empty => String::new(),
            other => panic!("every cell of the export is text or empty, found {other:?}"),
        };
        let from_xlsx: Vec<Vec<String>> = cells.iter().map(|r| r.iter().map(as_text).collect()).collect();
        assert_eq!(from_xlsx, expected_cells);
        // ID numbers and phone numbers are text cells, never numbers.
        for row in &cells[1..] {
            assert!(matches!(row[0], Data::String(_)), "id_number {:?}", row[0]);
            assert!(matches!(row[4], Data::String(_)), "phone {:?}", row[4]);
        }
    }
}
