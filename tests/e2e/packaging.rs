//! What packagers and shells take from needle: `needle completions SHELL`
//! for every shell clap_complete knows, and `needle man`, which `man -l`
//! renders when the machine has `man`.

use std::process::Stdio;

use crate::util::{Run, needle_command};

/// The subcommands `needle --help` lists (under `Commands:` up to the next
/// blank line, each on a line indented two spaces; descriptions wrap onto
/// lines indented further), so that a new command is checked without editing
/// this test.
fn subcommands() -> Vec<String> {
    let help = Run::from(needle_command().arg("--help").output().unwrap());
    help.code(0);
    // The help says where settings come from, in which order.
    assert!(
        help.stdout.contains(
            "Settings: a flag wins over the environment (NEEDLE_CONTENT, NEEDLE_INDEX, NO_COLOR)"
        ),
        "{}",
        help.stdout
    );
    let names: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect();
    assert!(
        names.len() >= 10 && names.iter().any(|n| n == "search"),
        "the help lists the commands: {names:?}\n{}",
        help.stdout
    );
    names
}

/// Guards: each shell's script is non-empty, exits 0 and names every
/// subcommand (and a global flag); an unknown shell is a usage error.
#[test]
fn completions_for_every_shell_name_every_subcommand() {
    let commands = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = Run::from(
            needle_command()
                .args(["completions", shell])
                .output()
                .unwrap(),
        );
        r.code(0);
        assert!(r.stderr.is_empty(), "{shell}: {}", r.stderr);
        assert!(r.stdout.len() > 1000, "{shell}: {} bytes", r.stdout.len());
        for command in &commands {
            assert!(
                r.stdout.contains(command.as_str()),
                "{shell}'s script does not name `{command}`"
            );
        }
        // The global flag (fish writes it `-l content`).
        assert!(r.stdout.contains("content"), "{shell}: no --content");
    }
    let bad = Run::from(
        needle_command()
            .args(["completions", "tcsh"])
            .output()
            .unwrap(),
    );
    bad.code(2);
    assert!(bad.stderr.contains("possible values"), "{}", bad.stderr);
}

/// Guards: `needle man` prints a roff page that `man -l` renders with its
/// sections, every subcommand and where settings come from.
#[test]
fn man_page_renders_with_man() {
    let r = Run::from(needle_command().arg("man").output().unwrap());
    r.code(0);
    assert!(r.stdout.starts_with(".ie") || r.stdout.contains(".TH needle 1"));
    let has_man = std::process::Command::new("man")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_man {
        eprintln!("SKIPPED rendering the man page: no `man` on this machine");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("needle.1");
    std::fs::write(&page, &r.stdout).unwrap();
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("running man -l");
    let shown = Run::from(out);
    shown.code(0);
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUBCOMMANDS"] {
        assert!(
            shown.stdout.contains(section),
            "no {section} section:\n{}",
            shown.stdout
        );
    }
    assert!(shown.stdout.contains("NEEDLE_CONFIG"), "{}", shown.stdout);
    for command in subcommands() {
        assert!(
            shown.stdout.contains(&format!("needle-{command}")),
            "the page does not list `{command}`:\n{}",
            shown.stdout
        );
    }
}
