//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cli::bench::BenchArgs;
use crate::config::ColorChoice;
use crate::tui::TuiArgs;
use crate::workspace::Location;

/// The end of `needle --help` (and the manual page): where settings come from.
const SETTINGS_HELP: &str = "\
Settings: a flag wins over the environment (NEEDLE_CONTENT, NEEDLE_INDEX, NO_COLOR), which
wins over the config file, which wins over needle's defaults. The config file is
$XDG_CONFIG_HOME/needle/config.toml (~/.config/needle/config.toml), or the file NEEDLE_CONFIG
names; `needle config` shows every setting and where it came from.

Exit codes: 0 hits found (or a passage chosen), 1 no hits, 2 an error, 130 the interface quit
without a choice.";

/// Ranked full-text search over article passages, in the terminal and from scripts.
///
/// With no subcommand, needle opens its terminal interface on the content:
/// `--content PATH`, else `NEEDLE_CONTENT`, else `content` in the config
/// file, else `./content` if it exists, else the bundled article.
#[derive(Debug, Parser)]
#[command(
    name = "needle",
    version,
    about,
    max_term_width = 100,
    after_help = SETTINGS_HELP,
    after_long_help = SETTINGS_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub location: Location,

    /// When to colour the output: auto (on a terminal, unless NO_COLOR is
    /// set), always, never. Applies to the interface too.
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    #[command(flatten)]
    pub tui: TuiArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal interface (the default).
    Tui(TuiArgs),

    /// Bring the index up to date with the content, incrementally.
    ///
    /// Without paths, every file of the content is compared with the index
    /// (a stat each). With paths, only those are read: a file edited, added
    /// or removed (for a rename, both names), and no other file is looked
    /// at, however many the folder holds. For an editor's save hook or a
    /// script that knows what it changed: `needle index docs/page.md`;
    /// after a pull, `git diff --name-only --no-renames ORIG_HEAD HEAD --
    /// docs | xargs -r needle index`.
    Index {
        /// Files of the content that changed (edited, added, removed,
        /// renamed: both names); relative to the current directory. A
        /// folder among them is walked.
        #[arg(value_name = "PATH", conflicts_with = "force")]
        paths: Vec<PathBuf>,
        /// Rebuild from scratch: also allows removing most articles, and
        /// recovers a damaged index.
        #[arg(long)]
        force: bool,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },

    /// Search, printing ranked passages (exit 0 with hits, 1 without).
    Search(SearchArgs),

    /// Print passages (with their neighbours) or whole articles by id
    /// (exit 1 when an id names nothing).
    Get(GetArgs),

    /// Open a passage's source file at its line in $VISUAL or $EDITOR
    /// (exit 1 when the id names nothing).
    Open(OpenArgs),

    /// List the topics of the index with their passage counts.
    Topics {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },

    /// List the articles of the index.
    Articles {
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },

    /// Serve the index to AI assistants: a Model Context Protocol server on
    /// stdio (tools search, get_passage, get_article, list_topics,
    /// list_articles), kept fresh while it runs.
    Mcp,

    /// Serve an HTTP JSON API on loopback (GET /search, /passages/{id},
    /// /articles/{id}, /topics, /health), kept fresh while it runs.
    Serve(crate::serve::ServeArgs),

    /// Keep the index up to date while the content changes (Ctrl-C stops).
    Watch {
        /// Print one JSON object per reindex.
        #[arg(long)]
        json: bool,
    },

    /// Measure ranking quality on a judged test collection (BEIR layout).
    Eval(EvalArgs),

    /// Measure query latency (p50/p95/p99/max) and throughput on the index.
    Bench(BenchArgs),

    /// Print the completion script for a shell (bash, zsh, fish,
    /// powershell, elvish); see the README for where each goes.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff): `needle man | man -l -`.
    Man,

    /// Print the effective settings and where each came from (a flag, the
    /// environment, the config file, or the default).
    Config {
        /// Print only the config file's path.
        #[arg(long)]
        path: bool,
    },
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The collection: a directory with queries.jsonl, qrels/test.tsv and,
    /// unless --content is given, corpus.jsonl. It is indexed into a
    /// temporary index (--index is not used).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Print the averages as one JSON object.
    #[arg(long)]
    pub json: bool,

    /// Also write each query's figures to FILE, one JSON object per line.
    #[arg(long, value_name = "FILE")]
    pub runs: Option<PathBuf>,

    /// Rank with other settings: FILE holds a partial ranking as JSON
    /// (`{"subject": 50}`; missing fields keep needle's defaults).
    #[arg(long, value_name = "FILE", conflicts_with = "compare")]
    pub ranking: Option<PathBuf>,

    /// Compare two rankings on the collection: A and B are ranking files as
    /// for --ranking, or `default`. Prints both means, per-query wins and
    /// losses of B against A, and a paired randomization test's p-value.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<String>>,

    /// Write every query's ranking in trec_eval's run format to FILE
    /// (`qid Q0 docid rank score needle`), to check the figures with
    /// trec_eval or ranx. With --compare, B's ranking.
    #[arg(long, value_name = "FILE")]
    pub trec_run: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "exact phrases", -excluded, topic:name. Several
    /// arguments are joined by spaces; put exclusions inside a quoted query
    /// ("sunscreen -spf") or after `--`. With --json, `-` reads one query
    /// per line from standard input and prints one JSON object per line.
    #[arg(required = true, value_name = "QUERY")]
    pub words: Vec<String>,

    /// Only passages with this topic (repeat for several: any of them).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,

    /// How many hits to print [default: 10, or `limit` in the config file].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,

    /// How many hits to skip (for paging).
    #[arg(long, default_value_t = 0)]
    pub offset: u32,

    /// Print one JSON object (see the README for its fields).
    #[arg(long)]
    pub json: bool,

    /// Search the index as it is, without checking the content for changes.
    #[arg(long)]
    pub no_refresh: bool,

    /// At most N passages of one article, so that one page that repeats
    /// the words does not fill the results (each hit gets an
    /// `article_rank`) [default: `per_article` in the config file].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_article: Option<u32>,

    /// Each article once, its best passages beneath it (3, or
    /// --per-article N); --limit and --offset then count articles
    /// [default: `group` in the config file].
    #[arg(long)]
    pub group: bool,

    /// Say why each hit ranked where it did: its tier, how each word
    /// matched (exact, stem, synonym, prefix, typo; in the page's subject),
    /// BM25 per field, phrases and feedback terms. With --json, an
    /// `explain` object in each hit.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Passage ids (`article#section-slug.N`, the `id` of a hit) or article
    /// ids (the `article` of a hit).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,

    /// With a passage, this many passages of its article before and after it.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub context: usize,

    /// Print one JSON object per id (see the README).
    #[arg(long)]
    pub json: bool,

    /// Read the index as it is, without checking the content for changes.
    #[arg(long)]
    pub no_refresh: bool,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// A passage id (`article#section-slug.N`, the `id` of a hit), opened
    /// at its line, or an article id (the `article` of a hit).
    #[arg(value_name = "ID")]
    pub id: String,

    /// Read the index as it is, without checking the content for changes.
    #[arg(long)]
    pub no_refresh: bool,
}
