"""WordPress shortcodes (converter/content/shortcodes.py), after source-format.md §7.

Only registered names are expanded; ``[[tag]]`` prints a literal ``[tag]``; unknown ``[foo]``
stays as text. ``[caption]`` follows WordPress's ``img_caption_shortcode``: the content is split
into the image (optionally inside a link) and the caption text; with ``width`` < 1 or no caption
text WordPress returns the image part only (samples/README.md, 05: "must come out as the plain
image, with its caption text dropped, as WordPress does").
"""

from __future__ import annotations

import pytest
from lxml import etree
from lxml import html as lxml_html

from converter.content import Context, normalise
from converter.content.shortcodes import expand, parse_attributes

IMG = '<img src="https://www.dailymaverick.co.za/wp-content/uploads/2023/09/seahorse-720x480.jpg" alt="" />'
SRC = "https://www.dailymaverick.co.za/wp-content/uploads/2023/09/seahorse-720x480.jpg"


def figure_of(html: str) -> lxml_html.HtmlElement:
    element = lxml_html.fragment_fromstring(html)
    assert element.tag == "figure", html
    return element


def caption_html(figure: lxml_html.HtmlElement) -> str:
    figcaption = figure.find("figcaption")
    assert figcaption is not None
    inner = (figcaption.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in figcaption
    )
    return inner.strip()


# ---------------------------------------------------------------------------------------------
# [caption]


@pytest.mark.parametrize(
    ("text", "src", "link", "caption"),
    [
        (
            f'[caption id="attachment_6" align="alignright" width="300"]{IMG} The Great Wave[/caption]',
            SRC,
            None,
            "The Great Wave",
        ),
        (
            f'[caption id="attachment_6" align="aligncenter" width="720"]{IMG} A <em>Hippocampus'
            f" capensis</em> in the eelgrass.[/caption]",
            SRC,
            None,
            "A <em>Hippocampus capensis</em> in the eelgrass.",
        ),
        (
            f'[caption id="attachment_7" width="720"]<a href="https://e.example/full.jpg">{IMG}</a>'
            f" Linked image[/caption]",
            SRC,
            "https://e.example/full.jpg",
            "Linked image",
        ),
        (
            f'[caption width="720" caption="From the attribute"]{IMG}[/caption]',
            SRC,
            None,
            "From the attribute",
        ),
        (
            f"[caption width='720' caption='Single quoted']{IMG}[/caption]",
            SRC,
            None,
            "Single quoted",
        ),
        (f"[caption width=720]{IMG} Unquoted width[/caption]", SRC, None, "Unquoted width"),
        (f'[wp_caption width="720"]{IMG} The alias[/wp_caption]', SRC, None, "The alias"),
        (f'[caption width="720"]{IMG} Photo [1] by X[/caption]', SRC, None, "Photo [1] by X"),
        (
            f'[caption width="720"]{IMG}\nCaption on the next line[/caption]',
            SRC,
            None,
            "Caption on the next line",
        ),
    ],
    ids=[
        "id-align-width",
        "markup-in-caption",
        "link-wrapped-image",
        "caption-attribute",
        "caption-attribute-single-quotes",
        "unquoted-width",
        "wp-caption-alias",
        "brackets-in-caption",
        "newline-before-caption",
    ],
)
def test_caption_becomes_figure(text: str, src: str, link: str | None, caption: str) -> None:
    result = expand(text)
    figure = figure_of(result.html)
    images = figure.findall(".//img")
    assert [img.get("src") for img in images] == [src]
    if link is None:
        assert images[0].getparent() is figure
    else:
        anchor = images[0].getparent()
        assert anchor.tag == "a" and anchor.get("href") == link
    assert caption_html(figure) == caption
    assert figure.get("style") is None  # §7.2: drop the inline width style
    assert "300px" not in result.html and "310px" not in result.html
    assert "[caption" not in result.html and "[/caption]" not in result.html
    assert result.warnings == []


def test_caption_keeps_surrounding_text() -> None:
    result = expand(f'<p>Before</p>\n[caption width="720"]{IMG} Cap[/caption]\n<p>After</p>')
    assert result.html.startswith("<p>Before</p>\n<figure>")
    assert result.html.endswith("</figure>\n<p>After</p>")


def test_two_captions() -> None:
    text = f'[caption width="1"]{IMG} One[/caption] and [caption width="2"]{IMG} Two[/caption]'
    result = expand(text)
    assert result.html.count("<figure>") == 2
    assert "<figcaption>One</figcaption>" in result.html
    assert "<figcaption>Two</figcaption>" in result.html
    assert " and " in result.html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # WordPress: $content becomes the image part first, then width < 1 returns it.
        (f'[caption id="attachment_9" width="0"]{IMG} Caption text dropped[/caption]', IMG),
        (f'[caption width=""]{IMG} Caption text dropped[/caption]', IMG),
        (f'[caption width="-5"]{IMG} Caption text dropped[/caption]', IMG),
        (f'[caption width="300"]{IMG}[/caption]', IMG),
        (f'[caption width="300"]{IMG}   [/caption]', IMG),
        (f'[caption width="300" caption=""]{IMG}[/caption]', IMG),
        ('[caption width="300"]Just text, no image[/caption]', "Just text, no image"),
    ],
    ids=[
        "width-zero",
        "width-empty",
        "width-negative",
        "no-caption-text",
        "blank-caption-text",
        "empty-caption-attribute",
        "no-image",
    ],
)
def test_caption_without_width_or_text_is_the_plain_content(text: str, expected: str) -> None:
    result = expand(text)
    assert result.html.strip() == expected
    assert "<figure" not in result.html


# ---------------------------------------------------------------------------------------------
# Escapes and unknown shortcodes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write [[caption]] to get a caption.", "Write [caption] to get a caption."),
        (
            'Use [[caption width="300"]<img src="x" /> Text[/caption]] in the editor.',
            'Use [caption width="300"]<img src="x" /> Text[/caption] in the editor.',
        ),
        ('[[gallery ids="1,2"]]', '[gallery ids="1,2"]'),
        ("[[embed]https://vimeo.com/1[/embed]]", "[embed]https://vimeo.com/1[/embed]"),
    ],
    ids=["caption", "caption-with-content", "gallery", "embed"],
)
def test_escaped_shortcodes_print_literally(text: str, expected: str) -> None:
    result = expand(text)
    assert result.html == expected
    assert result.warnings == []


@pytest.mark.parametrize(
    "text",
    [
        '[foo bar="1"]',
        'See [related_article id="123"] for more.',
        "[foo]content[/foo]",
        "[captions]",
        "[caption-x]",
        "[embedded]https://vimeo.com/1[/embedded]",
        "An array a[0] and [1, 2] and [not a link]",
        "[",
        "no brackets at all",
    ],
    ids=[
        "foo",
        "related-article",
        "foo-with-content",
        "longer-name",
        "hyphenated-name",
        "embed-prefix",
        "brackets-in-prose",
        "lone-bracket",
        "plain",
    ],
)
def test_unknown_shortcodes_are_untouched(text: str) -> None:
    assert expand(text).html == text


@pytest.mark.parametrize(
    "text",
    [
        "[[caption]]",
        "[[video]]",
        '[[gallery ids="1,2"]]',
        "[[embed]https://vimeo.com/1[/embed]]",
        '[[caption width="300"]<img src="x" /> Text[/caption]]',
    ],
    ids=[
        "bare-caption",
        "bare-video",
        "gallery-with-ids",
        "embed-with-url",
        "caption-with-content",
    ],
)
def test_an_escaped_shortcode_stays_literal_through_a_second_normalisation(text: str) -> None:
    # expand() prints the escape's literal text; the pipeline writes its "[" as &#91; (protect)
    # so that normalise(normalise(x)) == normalise(x) and the reader still sees "[".
    assert expand(text).html == text[1:-1]
    once = normalise(text, Context(base="https://x.org/a/")).html
    assert "&#91;" in once
    assert normalise(once, Context(base="https://x.org/a/")).html == once
    visible = "".join(
        etree.fromstring(
            "<div>" + once.replace("<br>", "") + "</div>", etree.HTMLParser()
        ).itertext()
    )
    assert text[2:].split("]")[0].split()[0] in visible


# ---------------------------------------------------------------------------------------------
# [embed], [video], [audio]


def embed_of(html: str) -> tuple[str | None, str | None, str | None]:
    """(data-embed, data-src, fallback link href) of a canonical embed figure."""
    figure = figure_of(html)
    assert "embed" in (figure.get("class") or "").split()
    link = figure.find("figcaption/a")
    assert link is not None, "an embed always carries a plain link fallback"
    return figure.get("data-embed"), figure.get("data-src"), link.get("href")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]",
            (
                "youtube",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
        ),
        (
            "[embed]https://youtu.be/dQw4w9WgXcQ[/embed]",
            (
                "youtube",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
        ),
        (
            "[embed] https://vimeo.com/76979871 [/embed]",
            ("vimeo", "https://player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
        ),
        (
            "[embed]https://example-widgets.com/w/123[/embed]",
            ("generic", None, "https://example-widgets.com/w/123"),
        ),
        (
            '[embed src="https://vimeo.com/76979871"]',
            ("vimeo", "https://player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
        ),
        (
            '[video src="https://cdn.example/clip.mp4" poster="https://cdn.example/poster.jpg"][/video]',
            ("video", "https://cdn.example/clip.mp4", "https://cdn.example/clip.mp4"),
        ),
        (
            '[video mp4="https://cdn.example/clip.mp4"]',
            ("video", "https://cdn.example/clip.mp4", "https://cdn.example/clip.mp4"),
        ),
        (
            '[video src="https://www.youtube.com/watch?v=dQw4w9WgXcQ"]',
            (
                "youtube",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
        ),
        (
            '[audio mp3="https://cdn.example/episode-1.mp3"][/audio]',
            ("audio", "https://cdn.example/episode-1.mp3", "https://cdn.example/episode-1.mp3"),
        ),
        (
            '[audio src="https://cdn.example/episode-1.ogg"]',
            ("audio", "https://cdn.example/episode-1.ogg", "https://cdn.example/episode-1.ogg"),
        ),
    ],
    ids=[
        "youtube-watch",
        "youtube-short-link",
        "vimeo-padded",
        "unknown-host-link-only",
        "embed-src-attribute",
        "video-src-poster",
        "video-mp4",
        "video-youtube",
        "audio-mp3",
        "audio-src",
    ],
)
def test_media_shortcodes_become_embed_figures(
    text: str, expected: tuple[str, str | None, str]
) -> None:
    result = expand(text)
    assert embed_of(result.html) == expected
    assert result.warnings == []
    assert "<iframe" not in result.html and "<script" not in result.html


def test_unknown_embed_host_is_never_framed() -> None:
    html = expand("[embed]https://example-widgets.com/w/123[/embed]").html
    assert "data-src" not in html
    assert "example-widgets.com" in figure_of(html).findtext("figcaption/a")


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("[embed]not a url[/embed]", "[embed]"),
        ("[embed]javascript:alert(1)[/embed]", "[embed]"),
        ('[embed width="500"][/embed]', "[embed]"),
        ('[video width="640" height="360"]', "[video]"),
        ('[video poster="https://cdn.example/p.jpg"][/video]', "[video]"),
        ('[audio loop="on"][/audio]', "[audio]"),
    ],
    ids=[
        "embed-text",
        "embed-javascript",
        "embed-empty",
        "video-no-source",
        "video-poster-only",
        "audio-no-source",
    ],
)
def test_media_without_a_usable_source_is_dropped_with_a_warning(text: str, warning: str) -> None:
    result = expand(f"<p>Before</p>{text}<p>After</p>")
    assert result.html == "<p>Before</p><p>After</p>"
    assert len(result.warnings) == 1
    assert warning in result.warnings[0]


# ---------------------------------------------------------------------------------------------
# [gallery], [playlist]: ids of attachments the export does not carry (§7.3)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ('[gallery ids="1,2,3"]', "1,2,3"),
        ('[gallery ids="10,20" columns="2" size="medium"]', "10,20"),
        ('[gallery ids="4,5"][/gallery]', "4,5"),
        ('[playlist ids="7,8"]', "7,8"),
    ],
    ids=["gallery", "gallery-extra-attributes", "gallery-closed", "playlist"],
)
def test_gallery_is_removed_with_a_warning(text: str, ids: str) -> None:
    result = expand(f"<p>Photos:</p>\n{text}\n<p>End</p>")
    assert result.html == "<p>Photos:</p>\n\n<p>End</p>"
    assert len(result.warnings) == 1
    assert ids in result.warnings[0]


def test_warnings_accumulate_in_order() -> None:
    result = expand('[gallery ids="1"] [audio loop="on"] [gallery ids="2"]')
    assert len(result.warnings) == 3
    assert (
        "1" in result.warnings[0] and "[audio]" in result.warnings[1] and "2" in result.warnings[2]
    )


# ---------------------------------------------------------------------------------------------
# Attributes (§7.1, WordPress 4.4+ regex)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ' id="attachment_6" align="alignright" width="300"',
            {"id": "attachment_6", "align": "alignright", "width": "300"},
        ),
        (" caption='Single quoted'", {"caption": "Single quoted"}),
        (" width=300 align=alignleft", {"width": "300", "align": "alignleft"}),
        (' ID="x" Width="3"', {"id": "x", "width": "3"}),
        (" \"first value\" second 'third'", {"0": "first value", "1": "second", "2": "third"}),
        (" https://vimeo.com/1", {"0": "https://vimeo.com/1"}),
        (' a="1"\u00a0b="2"', {"a": "1", "b": "2"}),
        (" a=1\u00a0b=2", {"a": "1", "b": "2"}),
        (' a="1"\u200bb="2"', {"a": "1", "b": "2"}),
        (' a = "spaced"', {"a": "spaced"}),
        (' data-id="9" my_attr="x"', {"data-id": "9", "my_attr": "x"}),
        (' src="https://x.example/y?a=1&b=2"', {"src": "https://x.example/y?a=1&b=2"}),
        (
            ' caption="A &quot;quoted&quot; <em>word</em>"',
            {"caption": "A &quot;quoted&quot; <em>word</em>"},
        ),
        (' caption=""', {"caption": ""}),
        ("", {}),
        ("   ", {}),
    ],
    ids=[
        "double-quoted",
        "single-quoted",
        "unquoted",
        "names-lowercased",
        "positional",
        "positional-url",
        "nbsp-between-quoted",
        "nbsp-between-unquoted",
        "zero-width-space",
        "spaces-around-equals",
        "hyphen-underscore-names",
        "ampersand-in-value",
        "markup-in-value",
        "empty-value",
        "empty",
        "blank",
    ],
)
def test_parse_attributes(text: str, expected: dict[str, str]) -> None:
    assert parse_attributes(text) == expected


# ---------------------------------------------------------------------------------------------
# Text only: not inside comments or tags (WordPress leaves comments alone; in an attribute the
# replacement's quotes would end the value and split the element)


@pytest.mark.parametrize(
    "text",
    [
        '<!-- [caption caption="x"] -->',
        "<!-- [embed]https://youtu.be/abcdefgh[/embed] -->",
        "<!--[gallery ids='1']-->",
        '<a title="[embed]https://youtu.be/abcdefgh[/embed]">t</a>',
        "<a title='[gallery ids=\"1\"]'>t</a>",
        '<img alt=[video] src="https://ok.example/a.jpg">',
        '<a title="x>[gallery]">t</a>',  # ">" inside a quoted value does not end the tag
        '<a title = "[gallery]">t</a>',
        "<?php [gallery] ?>",
        "<![CDATA[[gallery]]]>",
        "<!-- unclosed [gallery]",
        '<a title="unclosed [gallery]',
    ],
)
def test_shortcodes_inside_comments_and_tags_are_not_expanded(text: str) -> None:
    result = expand(text)
    assert result.html == text and not result.warnings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the comment hides the opening tag: the closing one is left as text
        (
            'a <!-- [caption caption="x"] --> b [/caption] c',
            'a <!-- [caption caption="x"] --> b [/caption] c',
        ),
        # an apostrophe in text or in an unquoted value does not open a quoted value
        ("<p class=it's>[[gallery]]</p>", "<p class=it's>[gallery]</p>"),
        ("it's <b>[[gallery]]</b>", "it's <b>[gallery]</b>"),
        # "<" not starting a tag is text
        ("1 < 2 [[gallery]]", "1 < 2 [gallery]"),
        # comments of HTML5's odd shapes end where a browser ends them
        ("<!--> [[gallery]] <!---> [[audio]]", "<!--> [gallery] <!---> [audio]"),
    ],
)
def test_text_around_comments_and_tags_is_still_expanded(text: str, expected: str) -> None:
    assert expand(text).html == expected


def test_a_caption_whose_content_has_attributes_is_expanded_whole() -> None:
    """The brackets hidden inside the caption's own tags are given back to the handler."""
    text = '[caption caption="Sea horse"]<img src="https://ok.example/a.jpg" alt="[x]">[/caption]'
    figure = figure_of(expand(text).html)
    assert figure.find("img").get("alt") == "[x]"  # type: ignore[union-attr]
    assert caption_html(figure) == "Sea horse"


@pytest.mark.pure_python
def test_the_tokenizer_scan_is_skipped_for_ordinary_captions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The exact scan costs ~10 ns a character: it only runs when a shortcode stands next to
    markup or the body holds a comment (not for the usual captions between paragraphs)."""
    from converter.content import shortcodes

    calls: list[str] = []
    real = shortcodes._hide_brackets_in_markup
    monkeypatch.setattr(
        shortcodes, "_hide_brackets_in_markup", lambda t: calls.append(t) or real(t)
    )
    text = '<p>Text.</p>\n\n[caption width="300"]' + IMG + " A caption[/caption]\n\n<p>More!</p>"
    assert "<figcaption>" in expand(text).html and not calls
    assert "<figcaption>" in expand("<p>[caption]" + IMG + " c[/caption]</p>").html and not calls
    assert expand('<p title="[gallery]">x</p>').html == '<p title="[gallery]">x</p>' and calls
    calls.clear()
    assert "<figcaption>" in expand("[caption]" + IMG + " c[/caption]<!-- c -->").html and calls


# A syntax highlighter's code shortcode pair is a code block: its content as typed (blank
# lines, indentation, "<"); a single "[c]" or "[text]" is prose (realworld-extra 4300041).
# Its language, where it names one (an attribute, or the brush as its name), is the class of
# the <code> (vocabulary.CODE_LANGUAGES; realworld-extra 5700048: "[code language=html]").
CODE_BLOCKS = [
    ('[sourcecode language="java"]\nif (x) {\n    y();\n\n    z();\n}\n[/sourcecode]',
     '<pre><code class="language-java">if (x) {\n    y();\n\n    z();\n}</code></pre>'),
    ("[php]<?php echo '<b>'; ?>[/php]", "<pre><code class=\"language-php\">&lt;?php echo '&lt;b&gt;'; ?&gt;</code></pre>"),
    ("[CODE]x &lt; y[/CODE]", "<pre><code>x &lt; y</code></pre>"),
    ('[sourcecode language="text"]t[/sourcecode]', "<pre><code>t</code></pre>"),  # none
    ('[code lang="JS"]a[/code]', '<pre><code class="language-javascript">a</code></pre>'),
    ("a [c] b [text] c", "<p>a [c] b [text] c</p>"),
    ('<pre>[code lang="py"]x[/code]</pre>', '<pre>[code lang="py"]x[/code]</pre>'),  # shown as code
    # markup as such in it is the author's own (a browser without the plugin shows it): the
    # HTML rules take it (realworld-extra 4100175: its images stay images)
    ('[code]<img src="https://e.org/i.jpg">[/code]', '<figure><img src="https://e.org/i.jpg" alt=""></figure>'),
    # a tag only named, pointing nowhere, is code (realworld-extra 5700050)
    ("[code lang=\"javascript\"]\n// the <a> clicked\nf(<img>);\n[/code]",
     '<pre><code class="language-javascript">// the &lt;a&gt; clicked\nf(&lt;img&gt;);</code></pre>'),
    # CodeColorer: [cc], [cc lang=…], [cc_LANG] and its modes, closed by the same name;
    # [cci…] is inline code (realworld-extra 5600043/44)
    ('[cce lang="diff"]\n-    Security.allowDomain("*");\n[/cce]',
     '<pre><code class="language-diff">-    Security.allowDomain("*");</code></pre>'),
    ("[ccnLe_php]\n&lt;?php\n    echo $a;\n[/ccnLe_php]", '<pre><code class="language-php">&lt;?php\n    echo $a;</code></pre>'),
    ("[cc_python]def f():\n    return 1[/cc_python]", '<pre><code class="language-python">def f():\n    return 1</code></pre>'),
    ("Use [cci]ls -l[/cci] to list.", "<p>Use <code>ls -l</code> to list.</p>"),
    ("a [cc] b", "<p>a [cc] b</p>"),
    ('[cc]<img src="https://e.org/i.jpg">[/cc]', '<figure><img src="https://e.org/i.jpg" alt=""></figure>'),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CODE_BLOCKS)
def test_code_shortcodes_become_code_blocks(text: str, expected: str) -> None:
    assert normalise(text, Context(base="https://example.org/")).html == expected


# A plugin shortcode that points somewhere leaves the URL, where a reader can follow it
# (realworld-extra 4300090 [iframe_loader src=…], 4300091 [gist id=…]).
POINTING = [
    ('Example:\n\n[iframe_loader src="http://jsfiddle.net/a/b/embedded/" width="100%"]\n\nCode',
     '<p>Example:</p>\n<p><a href="http://jsfiddle.net/a/b/embedded/">http://jsfiddle.net/a/b/embedded/</a></p>\n<p>Code</p>'),
    ("[gist id=1054257]", '<p><a href="https://gist.github.com/1054257">https://gist.github.com/1054257</a></p>'),
    ('Look [player url="https://e.org/p.mp3"]now', "<p>Look https://e.org/p.mp3 now</p>"),
    ('See [related_article id="123"] more', "<p>See more</p>"),  # no URL: gone, as before
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), POINTING)
def test_a_shortcode_pointing_somewhere_leaves_its_url(text: str, expected: str) -> None:
    assert normalise(text, Context(base="https://example.org/")).html == expected


# "[[name]]" is WordPress's escape for a shortcode written as text: an author showing how to
# use a plugin. Its words stay, brackets and all, as WordPress shows them without the plugin
# (the pair used to lose its name: "[[code]]text[[/code]]" gave "[]text[]").
ESCAPED_UNKNOWN = [
    ("[[code]]text[[/code]]", "<p>[[code]]text[[/code]]</p>"),
    ('Use [[code lang="py"]]print()[[/code]] so.', '<p>Use [[code lang="py"]]print()[[/code]] so.</p>'),
    ('a [[related id="3"]] b', '<p>a [[related id="3"]] b</p>'),
    ('a [[related id="3"]] [related id="4"] b', '<p>a [[related id="3"]] b</p>'),  # only one escaped
    ('a [[related id="3"] b', "<p>a [ b</p>"),  # not escaped: "[" alone before it
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), ESCAPED_UNKNOWN)
def test_an_escaped_unknown_shortcode_stays_text(text: str, expected: str) -> None:
    html = normalise(text).html
    assert html == expected
    assert normalise(html).html == html


YT_FIGURE = (
    '<figure class="embed" data-embed="youtube" data-src="https://www.youtube-nocookie.com/embed/SGZYb4RR_ag">'
    '<figcaption><a href="https://www.youtube.com/watch?v=SGZYb4RR_ag">{}</a></figcaption></figure>'
)
VIMEO_FIGURE = (
    '<figure class="embed" data-embed="vimeo" data-src="https://player.vimeo.com/video/141358">'
    '<figcaption><a href="https://vimeo.com/141358">{}</a></figcaption></figure>'
)
# WordPress.com's (and Jetpack's) embed shortcodes, in blogs moved from WordPress.com
# (realworld-extra 4700019, 4700023: the video was left as "[youtube=http://…]" text). The
# link says the URL the author wrote (embeds.as_written); a bare number says nothing to a reader.
WPCOM_EMBEDS = [
    ("[youtube=http://www.youtube.com/watch?v=SGZYb4RR_ag]",
     YT_FIGURE.format("YouTube: http://www.youtube.com/watch?v=SGZYb4RR_ag")),
    ("[youtube=http://www.youtube.com/watch?v=SGZYb4RR_ag&amp;w=640&amp;h=385]",
     YT_FIGURE.format("YouTube: http://www.youtube.com/watch?v=SGZYb4RR_ag&amp;w=640&amp;h=385")),
    ("[youtube http://www.youtube.com/watch?v=SGZYb4RR_ag]\n\nText after.",
     YT_FIGURE.format("YouTube: http://www.youtube.com/watch?v=SGZYb4RR_ag") + "\n<p>Text after.</p>"),
    ("[youtube]https://youtu.be/SGZYb4RR_ag[/youtube]", YT_FIGURE.format("YouTube: https://youtu.be/SGZYb4RR_ag")),
    ("[vimeo 141358]", VIMEO_FIGURE.format("Vimeo")),
    ('[vimeo id="141358"]', VIMEO_FIGURE.format("Vimeo")),
    ("[vimeo http://vimeo.com/141358]", VIMEO_FIGURE.format("Vimeo: http://vimeo.com/141358")),
    ("[tweet https://twitter.com/jack/status/20]",
     '<figure class="embed" data-embed="twitter"><figcaption><a href="https://twitter.com/jack/status/20">X (Twitter): https://twitter.com/jack/status/20</a></figcaption></figure>'),
    ("[tweet 20]",
     '<figure class="embed" data-embed="twitter"><figcaption><a href="https://twitter.com/i/status/20">X (Twitter)</a></figcaption></figure>'),
    # naming nothing: an editor's note, kept as written ("&#91;" reads "[" and is not expanded again)
    ("He said [tweet deleted] then.", "<p>He said &#91;tweet deleted] then.</p>"),
    ("[youtube]", "<p>&#91;youtube]</p>"),
    ("[youtube=javascript:alert(1)]", "<p>&#91;youtube=javascript:alert(1)]</p>"),
    ("[[youtube=http://www.youtube.com/watch?v=SGZYb4RR_ag]]",
     "<p>&#91;youtube=http://www.youtube.com/watch?v=SGZYb4RR_ag]</p>"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), WPCOM_EMBEDS)
def test_wordpress_com_embed_shortcodes(text: str, expected: str) -> None:
    html = normalise(text).html
    assert html == expected
    assert normalise(html).html == html
