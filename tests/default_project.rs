//! The client's project is the default `project_id` of every operation, and an explicit
//! `.project_id(..)` still overrides it. Every operation of the generated table is sent both
//! ways to a local server that records the raw paths.

mod common;

use common::recorder::{client, recorder};
use sinch_conversation::{Error, operations, path_probe};

/// The path `op` is expected at: its template with `project` and `ok` for the rest.
fn expected(op: &operations::OperationInfo, project: &str) -> String {
    let mut path = String::new();
    let mut rest = op.path;
    while let Some((before, after)) = rest.split_once('{') {
        let (name, after) = after.split_once('}').unwrap();
        path.push_str(before);
        path.push_str(if name == "project_id" { project } else { "ok" });
        rest = after;
    }
    path + rest
}

/// Operations that take a body fail for the missing body before sending; the others are sent.
fn sent(error: &Option<Error>) -> bool {
    matches!(error, Some(Error::Api(_)))
}

#[tokio::test]
async fn every_operation_uses_the_clients_project_unless_told_otherwise() {
    let (addr, seen) = recorder().await;
    let client = client(addr, Some("proj-default"));
    let mut sent_both_ways = 0;
    for op in operations::ALL
        .iter()
        .filter(|op| op.path.contains("{project_id}"))
    {
        seen.lock().unwrap().clear();
        let by_default = path_probe::send_with_default_project(&client, op.id).await;
        if sent(&by_default) {
            assert_eq!(
                *seen.lock().unwrap(),
                [expected(op, "proj-default")],
                "{}: the client's project",
                op.id
            );
        } else {
            // Refused before sending, and not for want of a project.
            let Some(Error::InvalidRequest(message)) = &by_default else {
                panic!("{}: {by_default:?}", op.id)
            };
            assert!(!message.contains("project_id"), "{}: {message}", op.id);
            assert!(seen.lock().unwrap().is_empty());
        }

        seen.lock().unwrap().clear();
        let overridden = path_probe::send(&client, op.id, "project_id", "proj-other").await;
        assert_eq!(sent(&overridden), sent(&by_default), "{}", op.id);
        if sent(&overridden) {
            assert_eq!(
                *seen.lock().unwrap(),
                [expected(op, "proj-other")],
                "{}: .project_id(..) overrides",
                op.id
            );
            sent_both_ways += 1;
        }
    }
    // The list and get operations (no body) are sent; at least a dozen of them.
    assert!(sent_both_ways >= 12, "sent both ways: {sent_both_ways}");
}

#[tokio::test]
async fn without_a_project_an_operation_says_what_is_missing() {
    let (addr, seen) = recorder().await;
    let client = client(addr, None);
    for op in operations::ALL
        .iter()
        .filter(|op| op.path.contains("{project_id}"))
    {
        match path_probe::send_with_default_project(&client, op.id).await {
            Some(Error::InvalidRequest(message)) => assert_eq!(
                message,
                "no project_id: configure ClientBuilder::project_id, or call .project_id(..) on \
                 the operation",
                "{}",
                op.id
            ),
            other => panic!("{}: {other:?}", op.id),
        }
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}
