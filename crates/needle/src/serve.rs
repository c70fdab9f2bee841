//! `needle serve`: a small HTTP JSON API on loopback (axum on tokio), for
//! scripts and web pages. `GET /search` answers exactly the object of
//! `needle search --json`; `/passages/{id}` and `/articles/{id}` that of
//! `needle get --json`; `/topics`, `/articles`, `/health`. The index is
//! kept fresh while it serves ([`crate::live`]). Errors are JSON
//! (`{"error": {"message"}}`) with their status code.
//!
//! Connections are served by hyper's HTTP/1 server directly rather than
//! `axum::serve`, which sets no timer: with one, a client that does not
//! finish its request headers in time (a slow or stalled client, or an
//! idle keep-alive connection) is closed, and headers have a size cap.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use needle_index::{NeedleIndex, SearchRequest};
use serde_json::json;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::json::{JsonArticle, JsonMessage, JsonPassageContext, JsonResults};
use crate::live::Live;
use crate::workspace::Resolved;

/// The address `needle serve` binds by default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7700";
/// The largest request body taken (the API reads none).
pub const MAX_BODY: usize = 16 * 1024;
/// The longest a request may take, and a slow body may stall.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The most hits one search may ask for.
pub const MAX_LIMIT: usize = 1000;
/// The longest a client may take to send a request's headers (and the
/// longest a kept-alive connection may sit idle), in milliseconds.
pub const HEADER_TIMEOUT_MS: u64 = 10_000;
/// The largest request line and headers taken (431 past it).
pub const MAX_HEADERS: usize = 16 * 1024;
/// How long open connections may take to finish once asked to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How `needle serve` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the address bound
    /// is printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,

    /// Allow an address other than loopback (the API has no authentication).
    #[arg(long)]
    pub public: bool,

    /// Allow web pages from ORIGIN (`https://example.org`, or `*`) to call
    /// the API (CORS). Without it, browsers refuse cross-origin calls.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,

    /// Close a connection that has not sent a request's headers within MS
    /// milliseconds (hidden: for tests).
    #[arg(long, value_name = "MS", default_value_t = HEADER_TIMEOUT_MS, hide = true)]
    pub header_timeout_ms: u64,
}

/// An error answer: `{"error": {"message"}}` with a status code.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": JsonMessage { message: self.1 } });
        (self.0, axum::Json(body)).into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// A library error: what the caller got wrong is 400, the rest 500.
fn index_error(e: needle_index::Error) -> ApiError {
    match e {
        needle_index::Error::UnknownTopic { .. } | needle_index::Error::InvalidRequest(_) => {
            bad_request(e.to_string())
        }
        e => ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

type Shared = Arc<NeedleIndex>;

/// Runs `work` on the index off the async threads.
async fn blocking<T: Send + 'static>(
    index: &Shared,
    work: impl FnOnce(&NeedleIndex) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let index = Arc::clone(index);
    tokio::task::spawn_blocking(move || work(&index))
        .await
        .map_err(|e| {
            ApiError(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the request failed: {e}"),
            )
        })?
}

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The query string's pairs; unknown names are an error.
fn params(params: Params, known: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let Query(pairs) = params.map_err(|e| bad_request(e.body_text()))?;
    if let Some((name, _)) = pairs.iter().find(|(n, _)| !known.contains(&n.as_str())) {
        return Err(bad_request(format!(
            "unknown parameter {name:?}: this endpoint takes {}",
            known.join(", ")
        )));
    }
    Ok(pairs)
}

fn number(name: &str, value: &str) -> Result<usize, ApiError> {
    value
        .parse()
        .map_err(|_| bad_request(format!("{name} must be a whole number, not {value:?}")))
}

/// `GET /search?q=&topic=&limit=&offset=&explain=`: `needle search --json`.
async fn search(State(index): State<Shared>, query: Params) -> Result<Response, ApiError> {
    let pairs = params(query, &["q", "topic", "limit", "offset", "explain"])?;
    let mut request = SearchRequest::new("");
    let mut has_q = false;
    for (name, value) in pairs {
        request = match name.as_str() {
            "q" => {
                has_q = true;
                request.query(value)
            }
            "topic" => request.topic(value),
            "limit" => {
                let n = number("limit", &value)?;
                if !(1..=MAX_LIMIT).contains(&n) {
                    return Err(bad_request(format!(
                        "limit must be from 1 to {MAX_LIMIT}, not {n}"
                    )));
                }
                request.limit(n)
            }
            "offset" => request.offset(number("offset", &value)?),
            _ => request.explain(matches!(value.as_str(), "" | "1" | "true")),
        };
    }
    if !has_q {
        return Err(bad_request("missing q: /search?q=your+words"));
    }
    let results = blocking(&index, move |index| {
        index.search(&request).map_err(index_error)
    })
    .await?;
    Ok(axum::Json(JsonResults::from(&results)).into_response())
}

/// `GET /passages/{id}?context=N`: `needle get --json` of a passage.
async fn passage(
    State(index): State<Shared>,
    Path(id): Path<String>,
    query: Params,
) -> Result<Response, ApiError> {
    let mut around = 1;
    for (_, value) in params(query, &["context"])? {
        around = number("context", &value)?.min(1000);
    }
    let found = blocking(&index, move |index| {
        index
            .passage_with_context(&id, around)
            .map_err(index_error)?
            .ok_or_else(|| {
                ApiError(
                    StatusCode::NOT_FOUND,
                    format!("no passage has the id {id:?} (write # as %23 in a URL)"),
                )
            })
    })
    .await?;
    Ok(axum::Json(JsonPassageContext::from(&found)).into_response())
}

/// `GET /articles/{id}`: `needle get --json` of an article.
async fn article(
    State(index): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let found = blocking(&index, move |index| {
        index.article(&id).map_err(index_error)?.ok_or_else(|| {
            ApiError(
                StatusCode::NOT_FOUND,
                format!("no article has the id {id:?}"),
            )
        })
    })
    .await?;
    Ok(axum::Json(JsonArticle::from(&found)).into_response())
}

/// `GET /topics`: `needle topics --json`.
async fn topics(State(index): State<Shared>) -> Result<Response, ApiError> {
    let topics = blocking(&index, |index| index.topics().map_err(index_error)).await?;
    Ok(axum::Json(json!(topics)).into_response())
}

/// `GET /articles`: `needle articles --json`.
async fn articles(State(index): State<Shared>) -> Result<Response, ApiError> {
    let articles = blocking(&index, |index| index.articles().map_err(index_error)).await?;
    Ok(axum::Json(json!(articles)).into_response())
}

/// `GET /health`: `{"status": "ok", "passages": N}`.
async fn health(State(index): State<Shared>) -> Response {
    axum::Json(json!({ "status": "ok", "passages": index.passage_count() })).into_response()
}

/// The API's routes and limits.
pub fn router(index: Shared, cors: Option<&str>) -> Result<Router> {
    let mut app = Router::new()
        .route("/search", get(search))
        .route("/passages/{*id}", get(passage))
        .route("/articles", get(articles))
        .route("/articles/{*id}", get(article))
        .route("/topics", get(topics))
        .route("/health", get(health))
        .fallback(|| async {
            ApiError(
                StatusCode::NOT_FOUND,
                "no such endpoint: GET /search?q=, /passages/{id}, /articles/{id}, /articles, /topics, /health".into(),
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError(StatusCode::METHOD_NOT_ALLOWED, "only GET is served".into())
        })
        .with_state(index)
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(RequestBodyTimeoutLayer::new(REQUEST_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    if let Some(origin) = cors {
        let layer = CorsLayer::new().allow_methods([Method::GET]);
        let layer = if origin == "*" {
            layer.allow_origin(tower_http::cors::Any)
        } else {
            layer.allow_origin(
                HeaderValue::from_str(origin)
                    .with_context(|| format!("--cors {origin:?}: not a valid origin"))?,
            )
        };
        app = app.layer(layer);
    }
    Ok(app)
}

/// `needle serve`: serves until Ctrl-C or SIGTERM.
pub fn run(content: &Resolved, args: &ServeArgs) -> Result<ExitCode> {
    if !args.addr.ip().is_loopback() && !args.public {
        bail!(
            "--addr {}: not a loopback address; the API has no authentication, so serving beyond this machine needs --public",
            args.addr
        );
    }
    let live = Live::open(content)?;
    let app = router(Arc::clone(&live.index), args.cors.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let bound = listener.local_addr()?;
        eprintln!(
            "needle: serving {} on http://{bound} (Ctrl-C stops)",
            content.label
        );
        let header_timeout = Duration::from_millis(args.header_timeout_ms.max(1));
        serve(listener, app, header_timeout, stop_signal()).await;
        anyhow::Ok(())
    })?;
    // Open connections had their chance; don't wait on a stalled one.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    drop(live);
    eprintln!("needle: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Accepts connections until `stop` completes, each served on a task of its
/// own with the header deadline and size cap; then lets open connections
/// finish their request (for at most [`SHUTDOWN_GRACE`]).
async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_header_size(MAX_HEADERS);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        // A failed connection (the client left, sent garbage, or was too
        // slow) concerns that client alone.
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// After a failed `accept`: a connection that went away before it was taken
/// is nothing; running out of file descriptors (or the like) waits a moment
/// rather than spinning, as `axum::serve` does.
async fn accept_failed(e: &io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    eprintln!("needle: cannot accept a connection: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
