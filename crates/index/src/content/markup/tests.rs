//! One fixture per construct, and a check that no input panics or changes
//! the line count.

use super::templates::TAG_LINES;
use super::*;

/// Strips `text`, checking that the line count is kept.
fn check(text: &str, mdx: bool) -> String {
    let out = strip_generator_markup(text, mdx);
    assert_eq!(
        out.matches('\n').count(),
        text.matches('\n').count(),
        "lines changed: {text:?} -> {out:?}"
    );
    out.into_owned()
}

fn strip(text: &str) -> String {
    check(text, false)
}

#[test]
fn plain_markdown_is_borrowed() {
    let plain = "Title\n=====\n\nSome {x} and { foo } and a: b at 10:30, see http://x.org.\n\n```\n{{ x }}\n```\n";
    assert!(matches!(
        strip_generator_markup(plain, false),
        Cow::Borrowed(_)
    ));
    assert!(matches!(
        strip_generator_markup(plain, true),
        Cow::Borrowed(_)
    ));
    assert!(matches!(
        strip_generator_markup("", false),
        Cow::Borrowed(_)
    ));
    // A trigger with nothing to strip is borrowed too.
    assert!(matches!(
        strip_generator_markup("`{{ x }}` is code.\n", false),
        Cow::Borrowed(_)
    ));
}

#[test]
fn liquid_tags() {
    assert_eq!(strip("{% if a %}Shown{% endif %}\n"), "Shown\n");
    assert_eq!(
        strip("## Title {%- include badge.html v=\"4.0\" -%}\n"),
        "## Title \n"
    );
    assert_eq!(
        strip("a {% include x.html\n  p=\"1\" %} b\nc\n"),
        "a \n b\nc\n"
    );
    assert_eq!(
        strip("x\n{% comment %}\nhidden {{ y }}\n{% endcomment %}\nz\n"),
        "x\n\n\n\nz\n"
    );
    assert_eq!(strip("a {% comment %}hidden{% endcomment %} b\n"), "a  b\n");
}

#[test]
fn multiline_tag_stops_at_a_paragraph_end() {
    assert_eq!(strip("a {% if\n\nb %}\n"), "a {% if\n\nb %}\n");
    let long = format!("a {{% x\n{}%}}\n", "y\n".repeat(TAG_LINES + 1));
    assert_eq!(strip(&long), long);
}

#[test]
fn raw_keeps_its_content_everywhere() {
    let text = "{% raw %}\n```liquid\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n```\n{% endraw %}\n{{ gone }}\n";
    assert_eq!(
        strip(text),
        "\n```liquid\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n```\n\n\n"
    );
    assert_eq!(
        strip("Use {%- raw -%}`{{ x }}`{%- endraw -%} here.\n"),
        "Use `{{ x }}` here.\n"
    );
    assert_eq!(
        strip("```\n{% raw %}{{ x }}{% endraw %}\n```\n"),
        "```\n{{ x }}\n```\n"
    );
    assert_eq!(
        strip("`{% raw %}{{ x }}{% endraw %}` {{ y }}\n"),
        "`{{ x }}` \n"
    );
    let text = "{% raw %}{{ a }}{% endraw %} `{{ b }}` {{ c }}\n";
    assert_eq!(strip(text), "{{ a }} `{{ b }}` \n");
}

#[test]
fn output_tags_and_hugo_shortcodes() {
    assert_eq!(
        strip("[Ruby Gem]({{ '/docs/ruby-101/#gems' | relative_url }})\n"),
        "[Ruby Gem]()\n"
    );
    assert_eq!(
        strip("{{< note title=\"N\" >}}\nInner *text*.\n{{< /note >}}\n"),
        "\nInner *text*.\n\n"
    );
    assert_eq!(
        strip("{{% tip %}}Kept{{% /tip %}} and {{< figure src=\"a.png\" />}}.\n"),
        "Kept and .\n"
    );
    assert_eq!(strip("{{-  site.x -}}done\n"), "done\n");
}

#[test]
fn mdbook_directives_go_even_from_code() {
    let text = "# Ch\n\n```rust\n{{#rustdoc_include ../listings/ch01/main.rs:here}}\n```\n\n{{#include file.md}}\n";
    assert_eq!(strip(text), "# Ch\n\n```rust\n\n```\n\n\n");
    assert_eq!(
        strip("```\n\\{{#include x.rs}}\n```\n"),
        "```\n{{#include x.rs}}\n```\n"
    );
    assert_eq!(
        strip("```hbs\n{{#each items}}{{this}}{{/each}}\n```\n"),
        "```hbs\n{{#each items}}{{this}}{{/each}}\n```\n"
    );
}

#[test]
fn admonition_title_runs_into_the_body() {
    let text = "!!! note \"Phasellus posuere\"\n\n    Lorem ipsum\n    dolor.\n\nAfter.\n";
    assert_eq!(
        strip(text),
        "\nPhasellus posuere:\nLorem ipsum\ndolor.\n\nAfter.\n"
    );
    let text = "??? question \"Why?\"\n    Because.\n";
    assert_eq!(strip(text), "Why?\nBecause.\n");
    let text = "!!! warning\n\n    Careful.\n\n???+ info inline end \"\"\n\n    Open.\n";
    assert_eq!(strip(text), "\n\nCareful.\n\n\n\nOpen.\n");
    let text = "!!!tip \"Hint\" \n";
    assert_eq!(strip(text), "Hint:\n");
    // Not an admonition: left as it is.
    assert_eq!(
        strip("!!! \"no type\"\n!!! a \"open\n"),
        "!!! \"no type\"\n!!! a \"open\n"
    );
}

#[test]
fn nested_admonitions_dedent_by_level() {
    let text = "!!! note \"Outer\"\n\n    Outer body.\n\n    !!! tip \"Inner\"\n\n        Inner body.\n        ```\n        code\n        ```\n    Outer again.\nTop.\n";
    let want =
        "\nOuter:\nOuter body.\n\n\nInner:\nInner body.\n```\ncode\n```\nOuter again.\nTop.\n";
    assert_eq!(strip(text), want);
    // In a definition list (`:   !!! note`), the `:` goes with the marker.
    assert_eq!(strip(":   !!! note\n\n        Body.\n"), "\n\nBody.\n");
}

#[test]
fn content_tabs() {
    let text = "=== \"C\"\n\n    ``` c\n    #include <stdio.h>\n    ```\n\n===! \"C++\"\n\n    Text {{ x }}.\n";
    assert_eq!(
        strip(text),
        "\nC:\n``` c\n#include <stdio.h>\n```\n\n\nC++:\nText .\n"
    );
    assert_eq!(
        strip("===+  \":octicons-file-code-16: `mkdocs.yml`\"\n    a: b\n"),
        "`mkdocs.yml`:\na: b\n"
    );
    // A setext underline is Markdown.
    let setext = "Heading\n===\n\n=== not a tab\n";
    assert!(matches!(
        strip_generator_markup(setext, false),
        Cow::Borrowed(_)
    ));
}

#[test]
fn docusaurus_directives() {
    let text = ":::note\n\nPlain.\n\n:::\n\n:::tip Use it\nNow.\n:::\n\n::::info[Read this]{#x}\n\nFirst.\n::::\n\n::: details More\n:::\n";
    let want = "\n\nPlain.\n\n\n\nUse it:\nNow.\n\n\n\nRead this:\nFirst.\n\n\nMore:\n\n";
    assert_eq!(strip(text), want);
}

#[test]
fn snippets_and_abbreviations() {
    let text = "Intro.\n\n--8<-- \"includes/abbr.md\"\n\n--8<--\nfile-a.md\nfile-b.md\n--8<--\n\n*[HTML]: Hyper Text Markup Language\nHTML is fine.\n";
    assert_eq!(strip(text), "Intro.\n\n\n\n\n\n\n\n\n\nHTML is fine.\n");
    // In code, a snippet line is replaced by the file too; an escaped one is not.
    assert_eq!(
        strip("```\n--8<-- \"a.py\"\n;--8<-- \"b\"\n```\n"),
        "```\n\n;--8<-- \"b\"\n```\n"
    );
}

#[test]
fn attribute_lists() {
    let text = "[Go](x.md){ .md-button }\n{ .annotate }\n## Title { #custom-id }\nPara.\n{: .note .info}\n### T {#id .class key=value}\n[a](b){:target=\"_blank\"}\n";
    assert_eq!(
        strip(text),
        "[Go](x.md)\n\n## Title\nPara.\n\n### T\n[a](b)\n"
    );
    let kept = "Keep {x}, { foo }, {# jinja #}, {a, b}, $x_{k=0}$ and {:?}.\n";
    assert_eq!(strip(kept), kept);
    assert_eq!(
        strip("__Update__{ title=\"Aug 21\" }: text\n"),
        "__Update__: text\n"
    );
}

#[test]
fn icon_shortcodes() {
    let text = "- :material-github: GitHub\n| :fontawesome-brands-x-twitter: X |\nLove :octicons-heart-fill-24:{ .heart }\n[:simple-markdown: md](x)\n";
    assert_eq!(strip(text), "- GitHub\n| X |\nLove \n[md](x)\n");
    let kept = "At 10:30-11:45, http://a-b.org, a:b-c:d, :smile: and `:material-x:`.\n";
    assert_eq!(strip(kept), kept);
}

#[test]
fn mdx_import_export() {
    let text = "import Tabs from '@theme/Tabs';\nimport './style.css';\n\nexport const meta = {\n  title: 'x',\n};\n\n# Doc\n\nexport the text, not code.\n\nWe import things.\n";
    let want = "\n\n\n\n\n\n\n# Doc\n\nexport the text, not code.\n\nWe import things.\n";
    assert_eq!(check(text, true), want);
    assert_eq!(check(text, false), text);
    assert_eq!(
        check("```js\nimport x from 'y'\n```\n", true),
        "```js\nimport x from 'y'\n```\n"
    );
}

#[test]
fn inline_code_is_kept() {
    let text = "Use `{{ page.title }}` or ``{% if %}`` but {{ not }} this; `` ` `` :x-y:\n";
    assert_eq!(
        strip(text),
        "Use `{{ page.title }}` or ``{% if %}`` but  this; `` ` `` \n"
    );
    // A backtick that opens no span is text.
    assert_eq!(strip("a ` b {{ c }}\n"), "a ` b \n");
}

#[test]
fn fenced_code_is_untouched() {
    let text = "~~~~\n{{ x }} {% y %} !!! note\n    :material-x: { .a }\n```\n~~~~\n\n  ```yaml\n  key: {{ v }}\n  ```\n";
    assert!(matches!(
        strip_generator_markup(text, true),
        Cow::Borrowed(_)
    ));
    // An unclosed fence runs to the end.
    assert_eq!(strip("```\n{{ x }}\n"), "```\n{{ x }}\n");
}

#[test]
fn highlight_blocks_become_fences() {
    let text =
        "{% highlight ruby linenos %}\n# not a heading {{ x }}\n{% endhighlight %}\n{{ y }}\n";
    assert_eq!(strip(text), "```ruby\n# not a heading {{ x }}\n```\n\n");
    assert_eq!(
        strip("  {{< highlight go >}}\n  x\n  {{< /highlight >}}\n"),
        "  ```go\n  x\n  ```\n"
    );
}

#[test]
fn crlf_is_kept() {
    let text = "!!! note \"T\"\r\n\r\n    Body {{ x }}.\r\n\r\nEnd {% y %}\r\n";
    assert_eq!(strip(text), "\r\nT:\r\nBody .\r\n\r\nEnd \r\n");
}

#[test]
fn unterminated_tags_are_left() {
    assert_eq!(strip("Text {{ x"), "Text {{ x");
    assert_eq!(strip("Text {% x\n"), "Text {% x\n");
    assert_eq!(strip("{%"), "{%");
    assert_eq!(strip("x {% comment %} y\n"), "x  y\n");
    let big = "{{".repeat(1 << 19);
    assert_eq!(strip(&big), big);
    let big = format!("{}\n{}", "{%".repeat(1 << 19), "`{% ".repeat(1 << 17));
    assert_eq!(strip(&big), big);
}

#[test]
fn no_prefix_panics_or_changes_the_line_count() {
    let all = "---\n!!! note \"T\"\n\n    é {{ x }} `{% raw %}` ü\n    === \"Tab\"\n        :material-a-b:{ .c }\n:::tip[Ti]\n{% comment %}\nz\n{% endcomment %}\n\u{1F600}{% raw %}{{\n{% endraw %}\n```\n{{#include a}}\n```\n--8<--\nf\n--8<--\r\nimport a from 'b'\n*[X]: y\n{% highlight c %}\n";
    for (i, _) in all.char_indices() {
        check(&all[..i], true);
        check(&all[i..], false);
    }
}
