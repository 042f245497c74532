//! Consents operations: list the identities of a consent list (`get_consents`), and list the
//! audit records of an identity (`get_consents_audit_records`).

mod common;

use chrono::{DateTime, Utc};
use common::{Api, PROJECT, raw_path, raw_query};
use httpmock::Method::GET;
use serde_json::json;
use sinch_conversation::types;

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

#[tokio::test]
async fn get_consents_sends_the_list_type_and_page_parameters() {
    let api = Api::start().await;
    let path = api.path("/apps/app-1/consents/OPT_OUT_MARKETING");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(Some("page_size=50&page_token=tok-1")));
            then.status(200).json_body(json!({
                "identities": [
                    {"identity": "+46700000001"},
                    {"identity": "+46700000002"}
                ],
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .get_consents()
        .app_id("app-1")
        .list_type(types::ConsentsListType::OptOutMarketing)
        .page_size(50)
        .page_token("tok-1")
        .send()
        .await
        .expect("list succeeds");

    mock.assert_async().await;
    let identities: Vec<&str> = page
        .identities
        .iter()
        .map(|i| i.identity.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(identities, ["+46700000001", "+46700000002"]);
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn get_consents_of_every_known_list_type() {
    let api = Api::start().await;
    for (list_type, wire) in [
        (types::ConsentsListType::OptOutAll, "OPT_OUT_ALL"),
        (
            types::ConsentsListType::OptOutNotification,
            "OPT_OUT_NOTIFICATION",
        ),
        // A list type this version does not know still goes out as given.
        (
            types::ConsentsListType::Other("OPT_OUT_SURVEYS".into()),
            "OPT_OUT_SURVEYS",
        ),
    ] {
        let mock = api
            .server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(api.path(&format!("/apps/app-1/consents/{wire}")))
                    .is_true(raw_query(None));
                then.status(200).json_body(json!({"identities": []}));
            })
            .await;

        let page = api
            .client
            .get_consents()
            .app_id("app-1")
            .list_type(list_type)
            .send()
            .await
            .unwrap();

        mock.assert_async().await;
        assert!(page.identities.is_empty());
        assert_eq!(page.next_page_token, None);
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn get_consents_audit_records_parses_the_records_of_an_identity() {
    let api = Api::start().await;
    let path = api.path("/apps/app-1/consents/identities/+46700000001");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({
                "identity": {"identity": "+46700000001"},
                "audit_records": [
                    {
                        "origin": "ORIGIN_MO",
                        "operation": "OPERATION_INSERT",
                        "list_type": "OPT_OUT_ALL",
                        "project_id": PROJECT,
                        "app_id": "app-1",
                        "datetime": "2026-11-20T08:00:00Z"
                    },
                    {
                        "origin": "ORIGIN_API",
                        "operation": "OPERATION_DELETE",
                        "list_type": "OPT_OUT_ALL",
                        "project_id": PROJECT,
                        "app_id": "app-1",
                        "datetime": "2026-11-25T09:30:00.5Z"
                    }
                ]
            }));
        })
        .await;

    let records = api
        .client
        .get_consents_audit_records()
        .app_id("app-1")
        .identity("+46700000001")
        .send()
        .await
        .expect("list succeeds");

    mock.assert_async().await;
    assert_eq!(
        records.identity.as_ref().unwrap().identity.as_deref(),
        Some("+46700000001")
    );
    assert_eq!(records.audit_records.len(), 2);
    let first = &records.audit_records[0];
    assert_eq!(first.origin, Some(types::AuditRecordOrigin::OriginMo));
    assert_eq!(
        first.operation,
        Some(types::AuditRecordOperation::OperationInsert)
    );
    assert_eq!(first.list_type, Some(types::ConsentsListType::OptOutAll));
    assert_eq!(first.app_id.as_deref(), Some("app-1"));
    assert_eq!(first.datetime, Some(ts("2026-11-20T08:00:00Z")));
    assert_eq!(
        records.audit_records[1].operation,
        Some(types::AuditRecordOperation::OperationDelete)
    );
}

#[tokio::test]
async fn get_consents_audit_records_keeps_unknown_enum_values() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/apps/app-1/consents/identities/alice"));
            then.status(200).json_body(json!({
                "identity": {"identity": "alice"},
                "audit_records": [{
                    "origin": "ORIGIN_DASHBOARD",
                    "operation": "OPERATION_MERGE",
                    "list_type": "OPT_OUT_SURVEYS",
                    "datetime": "2026-11-20T08:00:00Z"
                }]
            }));
        })
        .await;

    let records = api
        .client
        .get_consents_audit_records()
        .app_id("app-1")
        .identity("alice")
        .send()
        .await
        .expect("unknown values do not fail the response");

    mock.assert_async().await;
    let record = &records.audit_records[0];
    assert_eq!(
        record.origin,
        Some(types::AuditRecordOrigin::Other("ORIGIN_DASHBOARD".into()))
    );
    assert_eq!(
        record.operation,
        Some(types::AuditRecordOperation::Other("OPERATION_MERGE".into()))
    );
    assert_eq!(
        record.list_type.as_ref().map(|t| t.as_str()),
        Some("OPT_OUT_SURVEYS")
    );
}
