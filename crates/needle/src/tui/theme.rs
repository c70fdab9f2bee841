//! Colours and text styles, with a monochrome variant for `NO_COLOR`.
//!
//! Nothing in the interface relies on colour alone: the selected row has a
//! gutter mark, matches are bold (and reversed without colour), the active
//! tab is bold and underlined.

use ratatui::style::{Color, Modifier, Style};

/// The topic colours, by the topic's position in the index's display order.
const TOPIC_COLORS: [Color; 8] = [
    Color::Green,
    Color::Red,
    Color::Cyan,
    Color::Yellow,
    Color::Magenta,
    Color::Blue,
    Color::LightGreen,
    Color::LightMagenta,
];

/// The background of the selected result.
const SELECTED_BG: Color = Color::Indexed(236);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to something (<https://no-color.org>).
    pub fn from_env() -> Theme {
        if std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) {
            Theme::colored()
        } else {
            Theme::mono()
        }
    }

    pub const fn colored() -> Theme {
        Theme { color: true }
    }

    pub const fn mono() -> Theme {
        Theme { color: false }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Secondary text: hints, counts, places.
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn border(self) -> Style {
        self.dim()
    }

    /// The border of the panel the selection lives in.
    pub fn border_focus(self) -> Style {
        self.fg(Color::Blue)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// A matched word.
    pub fn highlight(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    /// The match the preview is on: it stands out from the others.
    pub fn current_match(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::LightMagenta)
                .add_modifier(Modifier::BOLD)
        } else {
            self.highlight().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// The rows of the selected result.
    pub fn selected(self) -> Style {
        if self.color {
            Style::new().bg(SELECTED_BG)
        } else {
            Style::new()
        }
    }

    /// The gutter mark of the selected result.
    pub fn gutter(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn topic_color(self, position: Option<usize>) -> Option<Color> {
        match (self.color, position) {
            (true, Some(i)) => Some(TOPIC_COLORS[i % TOPIC_COLORS.len()]),
            (true, None) => Some(Color::Gray),
            (false, _) => None,
        }
    }

    /// A topic badge: the topic's colour as background.
    pub fn badge(self, position: Option<usize>) -> Style {
        match self.topic_color(position) {
            Some(c) => Style::new()
                .fg(Color::Black)
                .bg(c)
                .add_modifier(Modifier::BOLD),
            None => Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// A topic's name in its colour (tabs).
    pub fn topic_text(self, position: Option<usize>) -> Style {
        match self.topic_color(position) {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    /// The active tab.
    pub fn tab_active(self, position: Option<usize>) -> Style {
        match self.topic_color(position) {
            Some(c) if position.is_some() => Style::new()
                .fg(Color::Black)
                .bg(c)
                .add_modifier(Modifier::BOLD),
            Some(_) => Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            None => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// The key names in hints and help.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}
