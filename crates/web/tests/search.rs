//! Search as a caseworker types it, through the API and the page, on both databases: a part of a
//! name, a phone's last digits, an ID number's last characters, and the sign that more persons
//! match than a page shows (never counting anyone outside the caller's jurisdiction).

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, apps, id_number, url_encode};
use yuanzhu_domain::access::Role;

/// 甲测试 and 乙测试 in Yuexiu's 东山街道 community 001, 丙测试 in Haizhu; all three phones end in 5678.
async fn three_testers(app: &TestApp) -> [String; 3] {
    app.community("440104011001").await;
    let ids = [1, 2, 3].map(|n| id_number("440106", "1980-02-02", 100 + n));
    app.register(&[
        &format!("a,{},甲测试,13800005678,440104011001,2020-03-01,true,true,true,true,,", ids[0]),
        &format!("b,{},乙测试,13900005678,440104011001,2020-03-01,true,true,true,true,,", ids[1]),
        &format!("c,{},丙测试,13700005678,440105001,2020-03-01,true,true,true,true,,", ids[2]),
    ])
    .await;
    ids
}

#[tokio::test]
async fn the_api_finds_a_part_of_a_name_and_a_phone_tail_and_says_when_there_are_more() {
    for app in apps("search_api_more").await {
        three_testers(&app).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, "440104011001").await;
        let city = app.user("city", Role::CityAdmin, "440100").await;
        let get = |q: &str, limit: u32| format!("/api/v1/persons?q={}&limit={limit}", url_encode(q));
        for q in ["测试", "5678"] {
            // Two of the caseworker's: a page of two is all, a page of one is not.
            let a = app.call(Method::GET, &get(q, 2), &caseworker, None).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
            assert_eq!(a.body.as_array().unwrap().len(), 2, "{q}: {}", a.text);
            assert_eq!(a.headers["x-more-results"], "false", "丙测试 is outside and not counted");
            let a = app.call(Method::GET, &get(q, 1), &caseworker, None).await;
            assert_eq!(a.body.as_array().unwrap().len(), 1);
            assert_eq!(a.headers["x-more-results"], "true");
            // The city reaches all three.
            let a = app.call(Method::GET, &get(q, 2), &city, None).await;
            assert_eq!(a.headers["x-more-results"], "true");
            let a = app.call(Method::GET, &get(q, 3), &city, None).await;
            assert_eq!(a.body.as_array().unwrap().len(), 3);
            assert_eq!(a.headers["x-more-results"], "false");
        }
        // The body is still a bare list of masked hits.
        let a = app.call(Method::GET, &get("测试", 20), &caseworker, None).await;
        let names: Vec<&str> = a.body.as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["乙测试", "甲测试"]);
        assert!(a.body[0]["phone"].as_str().unwrap().contains('*'), "{}", a.text);
    }
}

#[tokio::test]
async fn the_search_page_says_when_there_are_more_and_how_to_narrow() {
    const MORE_ZH: &str = "还有更多结果，请输入更完整的姓名、身份证号或手机号";
    const MORE_EN: &str = "There are more results: type more of the name, ID number or phone number";
    for app in apps("search_page_more").await {
        let ids = three_testers(&app).await;
        // Fifty-one more 测试s in the caseworker's community: more than a page of fifty.
        let more: Vec<String> = (0..51)
            .map(|n| {
                let id = id_number("440106", "1981-03-03", 100 + n);
                format!("m{n},{id},丁测试{n},,440104011001,2020-03-01,true,true,true,true,,")
            })
            .collect();
        app.register(&more.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, "440104011001").await;
        let page = |q: &str| format!("/search?q={}", url_encode(q));
        let a = app.call(Method::GET, &page("测试"), &caseworker, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.text.contains("id=\"more-results\"") && a.text.contains(MORE_ZH), "{}", a.text);
        // The given name finds two, all there are: no sign.
        let a = app.call(Method::GET, &page("5678"), &caseworker, None).await;
        assert!(a.text.contains("甲测试") && a.text.contains("乙测试") && !a.text.contains("丙测试"), "{}", a.text);
        assert!(!a.text.contains("more-results"), "{}", a.text);
        // An ID number's last characters.
        let a = app.call(Method::GET, &page(&ids[0][12..]), &caseworker, None).await;
        assert!(a.text.contains("甲测试") && !a.text.contains("乙测试"), "{}", a.text);
        assert!(!a.text.contains("more-results"));
        // In English.
        let a = app.send(Method::GET, &page("测试"), &caseworker, None, &[("accept-language", "en")]).await;
        assert!(a.text.contains(MORE_EN), "{}", a.text);
    }
}
