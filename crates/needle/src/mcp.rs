//! `needle mcp`: a Model Context Protocol server over stdio (rmcp, the
//! official Rust SDK), for AI assistants. Its tools answer with the JSON
//! of `needle search --json` and `needle get --json` as structured
//! content. The index is refreshed at start and kept fresh while the
//! server runs ([`crate::live`]). stdout carries the protocol: anything
//! for people goes to stderr.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use needle_index::{NeedleIndex, SearchRequest};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{ErrorData, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::json::{JsonArticle, JsonPassageContext, JsonResults};
use crate::live::Live;
use crate::workspace::Resolved;

/// The most hits one search may ask for.
pub const MAX_LIMIT: u32 = 1000;

/// Arguments of the `search` tool.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// The query: words (typos and word forms match), "exact phrases",
    /// -excluded words, topic:name filters. An empty query lists passages
    /// in article order.
    pub query: String,
    /// Only passages with one of these topics (names from list_topics).
    #[serde(default)]
    pub topics: Vec<String>,
    /// How many hits to return, 1 to 1000 (default 10).
    pub limit: Option<u32>,
    /// How many hits to skip, for the next page (default 0).
    pub offset: Option<u32>,
}

/// Arguments of the `get_passage` tool.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassageParams {
    /// The passage id, as a search hit's `id` gives it (`article#section-slug.N`).
    pub id: String,
    /// How many passages of its article to give before and after it (default 1).
    pub context: Option<u32>,
}

/// Arguments of the `get_article` tool.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleParams {
    /// The article id, as a search hit's `article` gives it.
    pub id: String,
}

/// The server: an index shared by the tools.
#[derive(Clone)]
pub struct NeedleServer {
    index: Arc<NeedleIndex>,
    tool_router: rmcp::handler::server::router::tool::ToolRouter<NeedleServer>,
}

impl std::fmt::Debug for NeedleServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeedleServer")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// Runs `work` on the index off the async threads; a failure of the index
/// is an internal error, a panic too (the server goes on).
async fn blocking<T: Send + 'static>(
    index: &Arc<NeedleIndex>,
    work: impl FnOnce(&NeedleIndex) -> Result<T, ErrorData> + Send + 'static,
) -> Result<T, ErrorData> {
    let index = Arc::clone(index);
    tokio::task::spawn_blocking(move || work(&index))
        .await
        .map_err(|e| ErrorData::internal_error(format!("the request failed: {e}"), None))?
}

/// `value` as JSON, its numbers as `needle search --json` prints them (a
/// score's `f32` is not widened to `f64` digits).
fn to_value(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_string(value)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// A library error as the MCP error a client sees: what the caller got
/// wrong (a topic, a limit) is invalid params, anything else internal.
fn index_error(e: needle_index::Error) -> ErrorData {
    match e {
        needle_index::Error::UnknownTopic { .. } | needle_index::Error::InvalidRequest(_) => {
            ErrorData::invalid_params(e.to_string(), None)
        }
        e => ErrorData::internal_error(e.to_string(), None),
    }
}

#[tool_router]
impl NeedleServer {
    pub fn new(index: Arc<NeedleIndex>) -> Self {
        NeedleServer {
            index,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "Search the local document index for passages matching a query; returns ranked hits (id, article, title, section, topics, text, highlights), best first, and the total."
    )]
    async fn search(
        &self,
        Parameters(p): Parameters<SearchParams>,
    ) -> Result<CallToolResult, ErrorData> {
        let limit = p.limit.unwrap_or(10);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ErrorData::invalid_params(
                format!("limit must be from 1 to {MAX_LIMIT}, not {limit}"),
                None,
            ));
        }
        let request = SearchRequest::new(p.query)
            .topics(p.topics)
            .limit(limit as usize)
            .offset(p.offset.unwrap_or(0) as usize);
        let results = blocking(&self.index, move |index| {
            index.search(&request).map_err(index_error)
        })
        .await?;
        Ok(CallToolResult::structured(to_value(&JsonResults::from(
            &results,
        ))))
    }

    #[tool(
        description = "Get one passage by its id (a search hit's `id`), with the passages just before and after it in its article."
    )]
    async fn get_passage(
        &self,
        Parameters(p): Parameters<PassageParams>,
    ) -> Result<CallToolResult, ErrorData> {
        let around = p.context.unwrap_or(1) as usize;
        let id = p.id;
        let found = blocking(&self.index, move |index| {
            index
                .passage_with_context(&id, around)
                .map_err(index_error)?
                .ok_or_else(|| {
                    ErrorData::invalid_params(
                        format!("no passage has the id {id:?}: use the `id` of a search hit"),
                        None,
                    )
                })
        })
        .await?;
        Ok(CallToolResult::structured(to_value(
            &JsonPassageContext::from(&found),
        )))
    }

    #[tool(
        description = "Get a whole article by its id (a search hit's `article`): its title, url and every passage in order."
    )]
    async fn get_article(
        &self,
        Parameters(p): Parameters<ArticleParams>,
    ) -> Result<CallToolResult, ErrorData> {
        let id = p.id;
        let found = blocking(&self.index, move |index| {
            index.article(&id).map_err(index_error)?.ok_or_else(|| {
                ErrorData::invalid_params(
                    format!(
                        "no article has the id {id:?}: use the `article` of a search hit, or list_articles"
                    ),
                    None,
                )
            })
        })
        .await?;
        Ok(CallToolResult::structured(to_value(&JsonArticle::from(
            &found,
        ))))
    }

    #[tool(
        description = "List the topics of the index (name, label, passage count); a topic's name filters a search."
    )]
    async fn list_topics(&self) -> Result<CallToolResult, ErrorData> {
        let topics = blocking(&self.index, |index| index.topics().map_err(index_error)).await?;
        Ok(CallToolResult::structured(json!({ "topics": topics })))
    }

    #[tool(
        description = "List the articles of the index (id, title, source path, passage count, url)."
    )]
    async fn list_articles(&self) -> Result<CallToolResult, ErrorData> {
        let articles = blocking(&self.index, |index| index.articles().map_err(index_error)).await?;
        Ok(CallToolResult::structured(json!({ "articles": articles })))
    }
}

#[tool_handler(
    name = "needle",
    router = self.tool_router,
    instructions = "needle searches a local index of articles split into passages. Call search with a few keywords; a hit's id goes to get_passage (its neighbours too), its article to get_article. list_topics gives the names a search's topics filter takes."
)]
impl ServerHandler for NeedleServer {}

/// `needle mcp`: serves until the client closes stdin.
pub fn run(content: &Resolved) -> Result<ExitCode> {
    let live = Live::open(content)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        eprintln!(
            "needle: MCP server on stdio for {} (the client ends it by closing stdin)",
            content.label
        );
        let server = NeedleServer::new(Arc::clone(&live.index))
            .serve(rmcp::transport::stdio())
            .await
            .context("the MCP client did not start the session")?;
        server.waiting().await.context("the MCP session failed")?;
        Ok::<_, anyhow::Error>(())
    })?;
    drop(live);
    Ok(ExitCode::SUCCESS)
}
