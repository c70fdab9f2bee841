//! `needle mcp`: a real MCP client (rmcp's client side) starts the built
//! binary over stdio, lists the tools, calls each one and checks the
//! answers, bad arguments included; the server stays up after them and
//! picks up a change to the content while it runs.

use std::time::{Duration, Instant};

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, object};
use rmcp::service::ServiceError;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use serde_json::{Value, json};

use crate::programs::sandbox;
use crate::util::{USER_VARIABLES, needle_bin, user_dirs};

/// Calls a tool: its structured content, or the message of what went
/// wrong, whether an MCP error (what needle refuses) or a tool error
/// result (arguments that do not fit the schema, which rmcp answers so).
async fn call(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    tool: &'static str,
    args: Value,
) -> Result<Value, String> {
    let mut params = CallToolRequestParams::new(tool);
    if !args.is_null() {
        params = params.with_arguments(object(args));
    }
    let res = match client.call_tool(params).await {
        Ok(res) => res,
        Err(ServiceError::McpError(e)) => return Err(e.message.into_owned()),
        Err(e) => panic!("{tool}: {e}"),
    };
    let text = res.content[0].as_text().expect("a text block").text.clone();
    if res.is_error == Some(true) {
        return Err(text);
    }
    let structured = res.structured_content.clone().expect("structured content");
    // The text content says the same, for clients that read only text.
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), structured);
    Ok(structured)
}

/// The message of a failed call, or a panic.
fn mcp_error(r: Result<Value, String>) -> String {
    match r {
        Err(message) => message,
        Ok(v) => panic!("expected an error, got {v}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_client_lists_and_calls_every_tool() -> anyhow::Result<()> {
    let s = sandbox();
    let content = s.content();
    let cmd = tokio::process::Command::new(needle_bin()).configure(|c| {
        for name in USER_VARIABLES {
            c.env_remove(name);
        }
        c.envs(user_dirs(&s.home()));
        c.arg("--content")
            .arg(&content)
            .arg("--index")
            .arg(s.index())
            .arg("mcp")
            .stderr(std::process::Stdio::null());
    });
    let client = ().serve(TokioChildProcess::new(cmd)?).await?;
    let info = client.peer_info().expect("the server introduced itself");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("needle")
    );
    assert!(
        info.instructions
            .as_deref()
            .unwrap_or("")
            .contains("search")
    );

    let tools = client.list_tools(None).await?.tools;
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "get_article",
            "get_passage",
            "list_articles",
            "list_topics",
            "search"
        ]
    );
    for t in &tools {
        let description = t.description.as_deref().unwrap_or("");
        assert!(
            description.len() > 30 && !description.contains('\n'),
            "{description}"
        );
        assert_eq!(
            t.input_schema.get("type"),
            Some(&json!("object")),
            "{}",
            t.name
        );
    }
    let search = tools.iter().find(|t| t.name == "search").unwrap();
    assert_eq!(search.input_schema["required"], json!(["query"]));
    assert!(search.input_schema["properties"]["topics"].is_object());

    // search: the JSON contract of `needle search --json`.
    let r = call(&client, "search", json!({ "query": "sunscreen" }))
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!(r["total"], 1);
    let hit = &r["hits"][0];
    for field in [
        "rank",
        "score",
        "id",
        "article",
        "title",
        "section",
        "topics",
        "line",
        "kind",
        "text",
        "highlights",
    ] {
        assert!(hit.get(field).is_some(), "no {field} in {hit}");
    }
    assert_eq!(hit["section"], "Aftercare");
    let id = hit["id"].as_str().unwrap().to_owned();
    let r = call(
        &client,
        "search",
        json!({ "query": "session", "topics": ["cost"], "limit": 1, "offset": 0 }),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    assert_eq!(r["total"], 1);
    assert_eq!(r["topics"], json!(["cost"]));
    let r = call(
        &client,
        "search",
        json!({ "query": "session", "limit": 1, "offset": 1 }),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    assert_eq!(r["hits"][0]["rank"], 2);

    // get_passage, get_article, list_topics, list_articles.
    let r = call(&client, "get_passage", json!({ "id": id }))
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!(r["passage"]["id"], id.as_str());
    assert_eq!(r["before"][0]["text"], "A guide to care.");
    assert_eq!(r["after"][0]["text"], "Drink water.");
    let r = call(&client, "get_article", json!({ "id": "care" }))
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!(r["title"], "Skin care");
    assert_eq!(r["passages"].as_array().unwrap().len(), 4);
    let r = call(&client, "list_topics", Value::Null)
        .await
        .map_err(anyhow::Error::msg)?;
    let topics: Vec<&str> = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["aftercare", "cost"]);
    let r = call(&client, "list_articles", Value::Null)
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!(r["articles"].as_array().unwrap().len(), 2);

    // Bad arguments: clear MCP errors, and the server goes on.
    let e = mcp_error(
        call(
            &client,
            "search",
            json!({ "query": "x", "topics": ["nope"] }),
        )
        .await,
    );
    assert!(e.contains("nope"), "{e}");
    let e = mcp_error(call(&client, "search", json!({ "query": "x", "limit": 0 })).await);
    assert!(e.contains("limit"), "{e}");
    let e = mcp_error(call(&client, "search", json!({ "q": "x" })).await);
    assert!(e.contains("query"), "{e}");
    let e = mcp_error(call(&client, "search", json!({ "query": 7 })).await);
    assert!(!e.is_empty());
    let e = mcp_error(call(&client, "get_passage", json!({ "id": "nope#x.1" })).await);
    assert!(e.contains("no passage has the id"), "{e}");
    let e = mcp_error(call(&client, "get_article", json!({ "id": "nope" })).await);
    assert!(e.contains("no article has the id"), "{e}");
    let e = mcp_error(call(&client, "no_such_tool", Value::Null).await);
    assert!(!e.is_empty());

    // The watcher: a new article is found while the server runs.
    s.write("new.md", "# New\n\nZebraquark stripes appear overnight.\n");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = call(&client, "search", json!({ "query": "zebraquark" }))
            .await
            .map_err(anyhow::Error::msg)?;
        if r["total"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the change was not picked up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client.cancel().await?;
    Ok(())
}
