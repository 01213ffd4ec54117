//! Generated calls go through the executor the client was built with.

use std::sync::{Arc, Mutex};

use venice_api_gen::hooks::{ExecuteFuture, Executor, Inner};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Default)]
struct Recording {
    seen: Mutex<Vec<&'static str>>,
}

impl Executor for Recording {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        self.seen.lock().unwrap().push(operation_id);
        request.headers_mut().insert("x-through-executor", "yes".parse().unwrap());
        Box::pin(client.execute(request))
    }
}

#[tokio::test]
async fn generated_calls_run_through_the_installed_executor() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api_keys/rate_limits/log"))
        .and(wiremock::matchers::header("x-through-executor", "yes"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(venice_tests::fixture("responses/getApiKeyRateLimitLogs.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let recording = Arc::new(Recording::default());
    let client = venice_api_gen::Client::new_with_client(
        &server.uri(),
        reqwest::Client::new(),
        Inner::with_executor(recording.clone()),
    );

    let logs = client.get_api_key_rate_limit_logs().send().await.unwrap();

    assert!(!logs.data.is_empty());
    assert_eq!(*recording.seen.lock().unwrap(), ["get_api_key_rate_limit_logs"]);
}

#[tokio::test]
async fn a_client_without_executor_sends_requests_directly() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api_keys"))
        .and(wiremock::matchers::query_param("id", "k1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"success":true}"#))
        .expect(1)
        .mount(&server)
        .await;
    let client = venice_api_gen::Client::new_with_client(&server.uri(), reqwest::Client::new(), Inner::default());

    let deleted = client.delete_api_key().id("k1").send().await.unwrap();

    assert!(deleted.success);
}

#[test]
fn every_hook_id_names_an_operation_in_the_table() {
    for op in venice_api_gen::operations::OPERATIONS {
        assert_eq!(venice_api_gen::operation::find(op.id), Some(op));
    }
    assert_eq!(venice_api_gen::operation::find("no_such_operation"), None);
}
