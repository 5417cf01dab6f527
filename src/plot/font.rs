//! The embedded font: DejaVu Sans (Bitstream Vera derivative, free licence in
//! `assets/fonts/DejaVuSans-LICENSE.txt`), registered with plotters once per
//! process under the family name [`FONT_FAMILY`].

use std::sync::Once;

/// The family name under which the embedded font is registered.
pub const FONT_FAMILY: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font with plotters (idempotent, thread-safe). Every
/// drawing function of this module calls it first.
pub fn ensure_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TTF compiled into the binary; a failure here
        // would only mean text is not drawn, so it is ignored.
        for style in [
            plotters::style::FontStyle::Normal,
            plotters::style::FontStyle::Bold,
            plotters::style::FontStyle::Italic,
            plotters::style::FontStyle::Oblique,
        ] {
            let _ = plotters::style::register_font(FONT_FAMILY, style, FONT_BYTES);
        }
    });
}
