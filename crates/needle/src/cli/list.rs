//! `needle topics` and `needle articles`: what the index holds.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::json::json_line;
use crate::workspace::{Resolved, open_index, refresh};

pub fn topics(content: &Resolved, json: bool) -> Result<ExitCode> {
    let index = open_index(&content.index_dir, false)?;
    refresh(&index, content)?;
    let topics = index.topics()?;
    let mut out = std::io::stdout().lock();
    if json {
        json_line(&mut out, &topics)?;
    } else {
        let width = topics.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for t in &topics {
            writeln!(out, "{:<width$}  {:>5}  {}", t.name, t.count, t.label)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn articles(content: &Resolved, json: bool) -> Result<ExitCode> {
    let index = open_index(&content.index_dir, false)?;
    refresh(&index, content)?;
    let articles = index.articles()?;
    let mut out = std::io::stdout().lock();
    if json {
        json_line(&mut out, &articles)?;
    } else {
        for a in &articles {
            writeln!(
                out,
                "{}\t{}\t{} passages\t{}{}",
                a.id,
                a.title,
                a.passages,
                a.path,
                a.url.as_deref().map_or(String::new(), |u| format!("\t{u}"))
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
