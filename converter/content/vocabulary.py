"""The small vocabulary of the canonical clean body: data, not code.

Every transform and the final sanitiser read these tables; adapters map out of this vocabulary.
Each rule says whether a tag is *unwrapped* (its children kept) or *removed* with its subtree.
"""

from __future__ import annotations

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "BLOCK_TAGS",
    "CODE_CLASSES",
    "CODE_LANGUAGES",
    "EMBED_ATTRIBUTES",
    "FLOW_CONTAINERS",
    "REMOVE_WITH_CONTENT",
    "RENAME",
    "URL_ATTRIBUTES",
    "URL_SCHEMES",
    "VOID_TAGS",
    "class_kept",
    "code_class",
]

# Tags of the canonical body. Everything else is unwrapped or removed.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # blocks
        "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
        "figure", "figcaption", "dl", "dt", "dd",
        # inline
        "a", "strong", "em", "code", "br", "img", "sub", "sup", "s", "small", "mark", "abbr",
        "cite", "q", "kbd", "var", "samp", "dfn", "time", "bdi", "bdo", "u",
    }
)  # fmt: skip
# Not <wbr>: libxml2 (HTML4) does not know it is void, so "a<wbr>b" parses as <wbr>b</wbr> and
# serialises with an end tag that the sanitiser's HTML5 parser drops, every round (a body with
# one <wbr> took all 16 rounds; nested ones grew a <wbr> a round: hypothesis). It is only a
# line-break hint: unwrapped, its text stays.

# Attributes kept per tag (nothing else survives: no class, style, data-*, on*, id, target).
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "width", "height", "title"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "td": frozenset({"colspan", "rowspan"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "abbr": frozenset({"title"}),
    "dfn": frozenset({"title"}),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
    "time": frozenset({"datetime"}),
    "bdo": frozenset({"dir"}),
    "figure": frozenset({"class"}),  # only the canonical embed figure carries a class
    "code": frozenset({"class"}),  # a code block's language only: CODE_CLASSES
}

# A code block's language, written <pre><code class="language-NAME"> (HTML §4.4.3's
# convention, and what CommonMark renderers make of a fence's info string): the names the
# highlighters take (SyntaxHighlighter's brushes and shortcodes, CodeColorer, Crayon, Prism,
# highlight.js, Medium's data-code-block-lang), lower case → NAME. A closed list, so that the
# class is a value of the vocabulary like any other; a name not in it gives no class.
CODE_LANGUAGES: dict[str, str] = {
    **{name: name for name in (
        "bash", "c", "clojure", "cpp", "csharp", "css", "dart", "diff", "dockerfile",
        "elixir", "erlang", "fsharp", "go", "graphql", "groovy", "haskell", "html", "ini",
        "java", "javascript", "json", "jsx", "kotlin", "latex", "less", "lua", "makefile",
        "markdown", "matlab", "nginx", "objectivec", "pascal", "perl", "php", "powershell",
        "python", "r", "ruby", "rust", "sass", "scala", "scss", "sql", "swift", "toml",
        "tsx", "typescript", "vbnet", "xml", "yaml", "actionscript", "coldfusion",
    )},
    "sh": "bash", "shell": "bash", "zsh": "bash", "console": "bash", "c++": "cpp",
    "cs": "csharp", "c#": "csharp", "c-sharp": "csharp", "clj": "clojure", "patch": "diff",
    "erl": "erlang", "f#": "fsharp", "golang": "go", "htm": "html", "xhtml": "html",
    "html5": "html", "xslt": "xml", "svg": "xml", "js": "javascript", "jscript": "javascript",
    "node": "javascript", "tex": "latex", "objc": "objectivec", "obj-c": "objectivec",
    "objective-c": "objectivec", "delphi": "pascal", "pas": "pascal", "pl": "perl",
    "ps": "powershell", "posh": "powershell", "ps1": "powershell", "py": "python",
    "python3": "python", "rb": "ruby", "rails": "ruby", "ror": "ruby", "rs": "rust",
    "tsql": "sql", "mysql": "sql", "postgresql": "sql", "ts": "typescript", "vb": "vbnet",
    "yml": "yaml", "md": "markdown", "as3": "actionscript", "actionscript3": "actionscript",
    "cf": "coldfusion", "jfx": "java", "javafx": "java", "docker": "dockerfile",
}  # fmt: skip
CODE_CLASSES: frozenset[str] = frozenset("language-" + name for name in CODE_LANGUAGES.values())


def class_kept(tag: str, value: str) -> bool:
    """The two classes of the vocabulary: the embed figure's, a code block's language."""
    return value == "embed" if tag == "figure" else value in CODE_CLASSES


def code_class(name: str) -> str | None:
    """The class of a code block in language ``name`` as a highlighter gives it ("PHP",
    "language-js", "lang-py"), or None for a name outside CODE_LANGUAGES ("text", "plain")."""
    name = name.strip().lower()
    for prefix in ("language-", "lang-"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    language = CODE_LANGUAGES.get(name)
    return None if language is None else "language-" + language


# The canonical embed: <figure class="embed" data-embed=PROVIDER data-src=PLAYER-URL>
#   [<blockquote>quoted text of a tweet/post</blockquote>]
#   <figcaption><a href=CANONICAL-URL>Provider: title</a></figcaption>
# </figure>
# data-src is only ever set by converter/content/embeds.py from an allow-listed host.
# A video may also carry data-poster (URL) and data-video-width/-height (CSS px, both or none;
# not data-width/-height, which transforms strip from every element as paste junk).
EMBED_ATTRIBUTES: frozenset[str] = frozenset(
    {"class", "data-embed", "data-src", "data-poster", "data-video-width", "data-video-height"}
)

# Attributes holding URLs: made absolute, and only these schemes survive.
URL_ATTRIBUTES: frozenset[str] = frozenset({"href", "src", "cite", "data-src", "data-poster"})
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})

# (A <noscript> leaves the pictures it holds first, where the page shows them nowhere else:
# transforms._noscript_images, news 6000039.)
# Removed with their whole subtree: executable, interactive-control, invisible or
# out-of-vocabulary media. (Iframes, embed scripts and video/audio are turned into canonical
# embeds *before* this.) Containers that may hold the reporter's text and are often left
# unclosed (form, svg, math, map) are NOT here: they are unwrapped like any unknown tag, so an
# unclosed one cannot swallow the rest of the article. Nor are HTML5 void elements that libxml2
# (an HTML4 parser) does not know as void (embed, source, track, param, keygen): it nests what
# follows them inside, so they are unwrapped (their attributes go with them).
# Removed with their content: code, metadata, form widgets whose text is no prose (the options
# of a <select>), and what a browser does not show (<canvas>, <video>, <audio> fallback). The
# text a browser does show is kept (unwrapped, as every unknown tag): a <button>'s label
# (Gutenberg's accordion headings, realworld-extra 4100043), a <textarea>'s or <output>'s
# text, and the fallback of an <object> or <applet>, which no browser plays any more
# (realworld-extra 4200010: "safe<object classid=…> <b>description</b>").
REMOVE_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "noscript", "template",
        "input", "select", "option", "optgroup", "datalist",
        "meta", "link", "base", "title", "head", "canvas", "area", "frame", "frameset",
        "noframes", "iframe", "audio", "video", "dialog", "portal", "param",
        "svg",  # its words stay (transforms._svg_as_text)
    }
)  # fmt: skip

# Renamed to their canonical equivalent (presentational → semantic; body h1 → h2 because
# the page title is the only h1).
RENAME: dict[str, str] = {
    "b": "strong", "i": "em", "strike": "s", "del": "s", "ins": "u", "tt": "code",
    "h1": "h2", "big": "strong", "center": "div", "section": "div", "article": "div",
    "header": "div", "footer": "div", "aside": "div", "main": "div", "nav": "div",
    "address": "p", "details": "div", "summary": "p",
}  # fmt: skip

# Block-level tags (for lifting blocks out of paragraphs and grouping inline runs).
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
        "figure", "figcaption", "dl", "dt", "dd", "div", "section", "article", "aside",
        "header", "footer", "nav", "main", "address", "details", "summary", "form",
        "fieldset", "legend", "menu", "hgroup", "center", "iframe", "video", "audio",
    }
)  # fmt: skip

# Containers whose loose text is grouped into paragraphs by the WordPress rules.
FLOW_CONTAINERS: frozenset[str] = frozenset(
    {
        "div", "blockquote", "li", "td", "th", "dd", "section", "article", "aside",
        "header", "footer", "main", "nav", "details", "center",
    }
)  # fmt: skip

VOID_TAGS: frozenset[str] = frozenset({"br", "hr", "img", "col", "wbr"})
