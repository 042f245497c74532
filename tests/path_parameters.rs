//! Every path parameter of every operation stays inside its path segment: `""`, `.` and `..`
//! are refused before any request, and `\` (which the URL parser reads as `/`) is encoded.
//!
//! The operations come from the generated operation table, so one a new spec adds is covered
//! without an edit here.

mod common;

use common::recorder::recorder;
use sinch_conversation::{Client, Error, operations, path::PathProblem, path_probe};

/// An unauthenticated client of the recorder at `addr`, with no default project.
fn client(addr: std::net::SocketAddr) -> Client {
    common::recorder::client(addr, None)
}

/// `(operation id, path parameter)` for every path parameter of every operation.
fn parameters() -> Vec<(&'static str, &'static str)> {
    operations::ALL
        .iter()
        .flat_map(|op| {
            op.path
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .map(move |name| (op.id, name))
        })
        .collect()
}

#[tokio::test]
async fn empty_and_dot_segments_are_refused_before_any_request() {
    let (addr, seen) = recorder().await;
    let client = client(addr);
    let parameters = parameters();
    // Every operation of the table has at least its project or template id in the path.
    assert!(parameters.len() >= operations::ALL.len(), "{parameters:?}");
    let mut checked = 0;
    for &(op, parameter) in &parameters {
        for (value, problem) in [
            ("..", PathProblem::DotSegment),
            (".", PathProblem::DotSegment),
            ("", PathProblem::Empty),
        ] {
            let error = path_probe::send(&client, op, parameter, value)
                .await
                .unwrap_or_else(|| panic!("{op}.{parameter}={value:?}: no error"));
            match error {
                Error::PathParameter(e) => {
                    assert_eq!(e.parameter(), parameter, "{op}");
                    assert_eq!(e.value(), value, "{op}");
                    assert_eq!(e.problem(), problem, "{op}.{parameter}={value:?}");
                }
                other => panic!("{op}.{parameter}={value:?}: {other:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, parameters.len() * 3);
    assert_eq!(
        *seen.lock().unwrap(),
        Vec::<String>::new(),
        "nothing reached the wire"
    );
}

#[tokio::test]
async fn backslashes_and_slashes_stay_inside_their_segment() {
    let (addr, seen) = recorder().await;
    let client = client(addr);
    for &(op, parameter) in &parameters() {
        for (value, encoded) in [
            ("..\\contacts\\victim", "..%5Ccontacts%5Cvictim"),
            ("..%2F..%2Fother", "..%252F..%252Fother"),
            ("a/../b", "a%2F..%2Fb"),
        ] {
            seen.lock().unwrap().clear();
            let error = path_probe::send(&client, op, parameter, value).await;
            if let Some(Error::PathParameter(e)) = &error {
                panic!("{op}.{parameter}={value:?} was refused: {e}");
            }
            // An operation that needs a body fails for the missing body before sending;
            // any request that was sent has the value, encoded, as one segment.
            for path in seen.lock().unwrap().iter() {
                let segments: Vec<&str> = path.split('/').collect();
                // `:stop`, `:inject-event`, ... follow some ids in their segment.
                let holds = |s: &&str| {
                    s.strip_prefix(encoded)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
                };
                assert!(
                    segments.iter().any(holds),
                    "{op}.{parameter}={value:?} reached {path}"
                );
                let template: Vec<&str> = operations::find(op).unwrap().path.split('/').collect();
                assert_eq!(segments.len(), template.len(), "{op}: {path}");
            }
        }
    }
}

#[tokio::test]
async fn a_conversation_id_cannot_delete_a_contact() {
    let (addr, seen) = recorder().await;
    let client = client(addr);
    // The case: this used to send DELETE /v1/projects/proj/contacts/victim.
    let error = client
        .delete_conversation()
        .project_id("proj")
        .conversation_id("..\\contacts\\victim")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        *seen.lock().unwrap(),
        ["/v1/projects/proj/conversations/..%5Ccontacts%5Cvictim"]
    );

    let error = client
        .delete_contact()
        .project_id("proj")
        .contact_id("..")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid request: path parameter `contact_id` is \"..\": a dot segment would address \
         another path"
    );
    assert!(matches!(error, Error::PathParameter(_)));
    assert!(!error.is_retryable() && !error.may_have_been_processed());
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the refused call sent nothing"
    );
}
