"""A theme's README as a page: Markdown by markdown-it-py, no raw HTML, only its own images fetched."""

from __future__ import annotations

from studio.core.docs_html import (
    CSP,
    MAX_MARKDOWN_CHARS,
    MAX_RESOURCES,
    documentation_page,
    local_resources,
    normalise_relative,
    render_markdown,
)


def test_markdown_is_rendered_with_tables_and_strikethrough() -> None:
    html = render_markdown("# Aurora\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ **new** `--accent`\n")
    assert "<h1>Aurora</h1>" in html
    assert "<table>" in html
    assert "<td>1</td>" in html
    assert "<s>old</s>" in html
    assert "<strong>new</strong>" in html
    assert "<code>--accent</code>" in html


def test_raw_html_and_script_links_are_never_interpreted() -> None:
    md = '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))'
    html = render_markdown(md)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html


def test_the_page_carries_a_policy_without_scripts_and_says_when_there_is_no_readme() -> None:
    page = documentation_page(None, "Aurora 1.0.0")
    assert "script-src" not in CSP  # default-src 'none' covers scripts: none may run
    assert "default-src &#x27;none&#x27;" in page
    assert "no documentation" in page
    assert "<title>Aurora 1.0.0</title>" in page
    assert "<h1>Hi</h1>" in documentation_page("# Hi", "x")


def test_only_relative_images_inside_the_docs_folder_are_fetched() -> None:
    md = "\n".join([
        "![a](docs/a.png)", "![again](docs/a.png)", "![b](./docs/../docs/b.png)", "![remote](https://x.test/r.png)",
        "![data](data:image/png;base64,AAAA)", "![root](/etc/passwd)", "![up](../secret.png)",
        "![proto](//x.test/p.png)", "[a link](docs/guide.md#usage)", "[site](https://x.test/readme.md)",
        "![space](docs/my%20pic.png)",
    ])
    assert local_resources(md) == ["docs/a.png", "docs/b.png", "docs/guide.md", "docs/my pic.png"]
    assert normalise_relative("docs/../../x.png") is None
    assert normalise_relative("docs\\x.png") is None
    assert local_resources("".join(f"![i](i{n}.png)\n" for n in range(MAX_RESOURCES + 5))) == [
        f"i{n}.png" for n in range(MAX_RESOURCES)
    ]


def test_a_huge_readme_is_cut_with_a_note() -> None:
    html = render_markdown("word " * (MAX_MARKDOWN_CHARS // 5 + 100))
    assert "the rest is not shown" in html
