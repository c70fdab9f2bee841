//! Colours and text styles: a palette for dark backgrounds, one for light
//! ones (`--theme light`, or `auto` on a terminal whose background is light:
//! see `background`), and a monochrome variant for `NO_COLOR` and
//! `--color never`.
//!
//! Nothing in the interface relies on colour alone: the selected row has a
//! gutter mark, matches are bold (and reversed without colour), the active
//! tab is bold and underlined.

use ratatui::style::{Color, Modifier, Style};

use crate::config::{ColorChoice, ThemeChoice};

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

/// The topic colours on a light background: darker, so that text in them
/// reads on white, and badges take white text.
const TOPIC_COLORS_LIGHT: [Color; 8] = [
    Color::Indexed(28),
    Color::Indexed(124),
    Color::Indexed(30),
    Color::Indexed(130),
    Color::Indexed(90),
    Color::Indexed(25),
    Color::Indexed(64),
    Color::Indexed(127),
];

/// The background of the selected result.
const SELECTED_BG: Color = Color::Indexed(236);
/// The same on a light background.
const SELECTED_BG_LIGHT: Color = Color::Indexed(254);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// The palette for light backgrounds.
    pub light: bool,
}

impl Theme {
    /// The theme the settings ask for: no colour with `--color never` (or
    /// `NO_COLOR`, which the settings turn into it); else the light palette
    /// for `--theme light`, or for `auto` when `light_background` (called
    /// only then: it may ask the terminal) says the background is light.
    pub fn choose(
        theme: ThemeChoice,
        color: ColorChoice,
        light_background: impl FnOnce() -> bool,
    ) -> Theme {
        if color == ColorChoice::Never {
            return Theme::mono();
        }
        let light = match theme {
            ThemeChoice::Light => true,
            ThemeChoice::Dark => false,
            ThemeChoice::Auto => light_background(),
        };
        if light {
            Theme::light()
        } else {
            Theme::colored()
        }
    }

    pub const fn colored() -> Theme {
        Theme {
            color: true,
            light: false,
        }
    }

    pub const fn light() -> Theme {
        Theme {
            color: true,
            light: true,
        }
    }

    pub const fn mono() -> Theme {
        Theme {
            color: false,
            light: false,
        }
    }

    /// `dark` on a dark background, `light` on a light one.
    fn pick(self, dark: Color, light: Color) -> Color {
        if self.light { light } else { dark }
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
        self.fg(self.pick(Color::Blue, Color::Indexed(25)))
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
            Style::new().bg(self.pick(SELECTED_BG, SELECTED_BG_LIGHT))
        } else {
            Style::new()
        }
    }

    /// The gutter mark of the selected result.
    pub fn gutter(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn topic_color(self, position: Option<usize>) -> Option<Color> {
        let palette = if self.light {
            &TOPIC_COLORS_LIGHT
        } else {
            &TOPIC_COLORS
        };
        match (self.color, position) {
            (true, Some(i)) => Some(palette[i % palette.len()]),
            (true, None) => Some(self.pick(Color::Gray, Color::Indexed(240))),
            (false, _) => None,
        }
    }

    /// Text on a topic's colour: black on the bright dark-theme colours,
    /// white on the deep light-theme ones.
    fn on_topic(self) -> Color {
        self.pick(Color::Black, Color::White)
    }

    /// A topic badge: the topic's colour as background.
    pub fn badge(self, position: Option<usize>) -> Style {
        match self.topic_color(position) {
            Some(c) => Style::new()
                .fg(self.on_topic())
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
                .fg(self.on_topic())
                .bg(c)
                .add_modifier(Modifier::BOLD),
            Some(_) => Style::new()
                .fg(self.pick(Color::Black, Color::White))
                .bg(self.pick(Color::White, Color::Black))
                .add_modifier(Modifier::BOLD),
            None => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(self.pick(Color::Yellow, Color::Indexed(130)))
    }

    pub fn ok(self) -> Style {
        self.fg(self.pick(Color::Green, Color::Indexed(28)))
    }

    /// The key names in hints and help.
    pub fn key(self) -> Style {
        self.fg(self.pick(Color::Cyan, Color::Indexed(25)))
            .add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_choose_the_palette() {
        let auto = ThemeChoice::Auto;
        let on = ColorChoice::Auto;
        let never = || -> bool { panic!("the background is asked only for auto") };
        assert_eq!(Theme::choose(auto, on, || true), Theme::light());
        assert_eq!(Theme::choose(auto, on, || false), Theme::colored());
        assert_eq!(
            Theme::choose(auto, ColorChoice::Always, || true),
            Theme::light()
        );
        assert_eq!(Theme::choose(ThemeChoice::Light, on, never), Theme::light());
        assert_eq!(
            Theme::choose(ThemeChoice::Dark, ColorChoice::Always, never),
            Theme::colored()
        );
        assert_eq!(
            Theme::choose(ThemeChoice::Light, ColorChoice::Never, never),
            Theme::mono()
        );
        assert_eq!(
            Theme::choose(auto, ColorChoice::Never, never),
            Theme::mono()
        );
    }
}
