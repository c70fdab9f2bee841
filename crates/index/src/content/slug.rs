//! Slugs: the ids and topic names made from headings and tags.

/// `Recovery And Aftercare` -> `recovery-and-aftercare`. Letters and digits
/// (any script) are kept, lowercased; everything else separates words.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
        if slug.len() >= 80 {
            break;
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_letters_and_digits() {
        assert_eq!(slugify("Recovery And Aftercare"), "recovery-and-aftercare");
        assert_eq!(slugify("Is It Painful?"), "is-it-painful");
        assert_eq!(slugify("Long-Term: 4-6 weeks"), "long-term-4-6-weeks");
        assert_eq!(slugify("Übersicht 日本"), "übersicht-日本");
        assert_eq!(slugify("???"), "");
    }
}
