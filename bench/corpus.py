"""A deterministic corpus of Whitebeard (Daily Maverick) article records, as JSON Lines.

    python bench/corpus.py --count 1000 --out /tmp/corpus.jsonl              # seed 1, median 12 KB
    python bench/corpus.py --count 100000 --out big.jsonl --seed 7 --median-kb 12
    python bench/corpus.py --count 5 --out -                                 # to stdout

Every record has the shape of the files in samples/ (the seed's keys, key order and nesting:
categories with their ``typeId`` block, keywords as ``{"type": "Keyword", "data": {...}}``,
authors, attachments with Thumbor ``transforms`` and ``url_*`` keys, the ``seo`` block, naive
SAST dates, integers sometimes written as strings). The bodies are raw WordPress classic-editor
HTML mixed the way the samples are: bare-text paragraphs separated by blank lines, Reuters
pastes (``<div class="text__text__1FZLe ..." data-testid="paragraph-N">`` with empty twins and
CSS-module link classes), 2016-era ``<p><span style=...>`` markup, ``[caption]`` shortcodes,
inline images with inline captions, headings, lists, occasional tables, blockquotes and embeds
(tweet blockquote + widgets.js, YouTube iframe, bare YouTube URLs, ``[embed]``, Datawrapper).

Sizes: ``contents`` is 2-20 KB (1 KB = 1,024 characters; the text is almost all ASCII, so
characters ~ bytes), drawn from a log-normal truncated to that range whose median is
``--median-kb``. Ids are unique except for ~1% deliberate duplicates (an earlier id again, with a
newer ``lastUpdate`` and an edited title and body); ~2% are drafts, ~1% paywalled (teaser body,
``access_allowed: false``), ~1% scheduled (``lastUpdate`` before ``firstPublished``).

Same (count, seed, median) → same bytes. Records are written one by one (nothing but a small
window of recent ids for the duplicates is kept), so 100,000 records (~1.3 GB) need no more
memory than 10. The text is pseudo-English from a fixed vocabulary, with the characters that
trouble converters (``*``, ``_``, ``<``, ``&``) now and then.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, TextIO

try:
    import orjson

    def _dumps(value: Any) -> str:
        return orjson.dumps(value).decode("utf-8")

except ImportError:  # pragma: no cover - the converter depends on orjson; json gives the same bytes

    def _dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


__all__ = ["generate", "lines"]

KB = 1024
MIN_BODY = 2 * KB
MAX_BODY = 20 * KB

STAGING = "https://staging.dailymaverick.co.za"
UPLOADS = "https://www.dailymaverick.co.za/wp-content/uploads"
CDN = "https://dmcdn.whitebeard.net"

# ---------------------------------------------------------------------------------------------
# Vocabulary (fixed; pseudo-English news prose, South African flavour)

# fmt: off
ACTORS = (
    "the department", "the municipality", "the minister", "the council", "the utility",
    "the company", "the union", "the court", "the province", "the committee", "the regulator",
    "the board", "residents", "analysts", "officials", "investors", "farmers", "commuters",
    "teachers", "the police", "the Treasury", "the auditor-general", "the mayor",
    "the spokesperson", "the report", "the survey", "the study", "the agency", "the metro",
    "the opposition", "the coalition", "economists", "engineers", "the group", "activists",
    "the commission", "the inquiry", "local businesses", "the provincial government",
    "the national executive", "the contractor", "the operator", "the school governing body",
)
ORGS = (
    "Eskom", "Transnet", "Rand Water", "the Reserve Bank", "Parliament", "Sanral", "Prasa",
    "the SABC", "Cosatu", "Numsa", "Sasol", "Anglo American", "Stats SA", "the IMF",
    "the World Bank", "the Competition Commission", "the Public Protector", "the SIU",
    "Johannesburg Water", "the City of Cape Town", "the City of Tshwane", "eThekwini",
    "the Department of Water and Sanitation", "the National Treasury", "Business Unity SA",
    "the Minerals Council", "WaterCAN", "Corruption Watch", "Section27", "the Black Sash",
    "the Land Bank", "Telkom", "Vodacom", "MTN", "Shoprite", "Absa", "Standard Bank",
)
PLACES = (
    "Johannesburg", "Cape Town", "Durban", "Pretoria", "Gqeberha", "Polokwane", "Mbombela",
    "Bloemfontein", "Kimberley", "Mahikeng", "East London", "Soweto", "Khayelitsha", "Mamelodi",
    "Stellenbosch", "Knysna", "Richards Bay", "Musina", "Harare", "Lusaka", "Maputo", "Gaborone",
    "Windhoek", "Nairobi", "Lagos", "Kinshasa", "Tembisa", "Makhanda", "Upington", "Mthatha",
    "Rustenburg", "Witbank", "Beaufort West", "the Karoo", "the Eastern Cape", "KwaZulu-Natal",
    "Limpopo", "Gauteng", "the Western Cape", "the Northern Cape", "Mpumalanga", "the Free State",
    "the North West",
)
ADJECTIVES = (
    "new", "provincial", "national", "local", "municipal", "temporary", "long-awaited",
    "controversial", "revised", "private", "public", "critical", "urgent", "modest", "significant",
    "first", "second", "final", "annual", "quarterly", "rural", "urban", "regional", "independent",
    "ambitious", "delayed", "unfunded", "informal", "emergency", "proposed", "existing", "ageing",
    "expensive", "cheaper", "smaller", "larger", "crucial", "disputed", "official", "unexpected",
    "historic", "fragile", "broader", "narrow",
)
NOUNS = (
    "budget", "tariff", "contract", "proposal", "tender", "report", "plan", "deadline", "shortfall",
    "loan", "permit", "licence", "project", "strike", "outage", "increase", "review",
    "investigation", "settlement", "agreement", "policy", "bill", "strategy", "exemption",
    "upgrade", "pipeline", "reservoir", "railway line", "power station", "refinery", "harbour",
    "clinic", "school", "road", "bridge", "dam", "mine", "market", "water supply", "grid", "route",
    "corridor", "court case", "audit", "hearing", "appeal", "board meeting", "rate", "subsidy",
    "grant", "backlog", "programme", "framework", "survey", "count", "forecast", "harvest",
    "season", "shortlist", "consortium", "licence application", "wage deal", "bailout",
    "rescue plan", "levy", "fine",
)
PLURALS = (
    "households", "workers", "jobs", "schools", "clinics", "trucks", "trains", "bidders",
    "applications", "complaints", "tonnes", "litres", "hectares", "learners", "patients", "farms",
    "homes", "votes", "branches", "kilometres", "permits", "cases", "firms", "vehicles", "hours",
    "residents", "members", "seahorses", "passengers", "councillors",
)
VERBS = (  # (base, past)
    ("say", "said"),
    ("warn", "warned"),
    ("announce", "announced"),
    ("confirm", "confirmed"),
    ("reject", "rejected"),
    ("approve", "approved"),
    ("propose", "proposed"),
    ("estimate", "estimated"),
    ("report", "reported"),
    ("find", "found"),
    ("argue", "argued"),
    ("promise", "promised"),
    ("blame", "blamed"),
    ("expect", "expected"),
    ("acknowledge", "acknowledged"),
    ("deny", "denied"),
    ("question", "questioned"),
    ("publish", "published"),
    ("reveal", "revealed"),
    ("delay", "delayed"),
    ("extend", "extended"),
    ("reduce", "reduced"),
    ("raise", "raised"),
    ("cut", "cut"),
    ("miss", "missed"),
    ("sign", "signed"),
    ("launch", "launched"),
    ("halt", "halted"),
    ("reopen", "reopened"),
    ("review", "reviewed"),
    ("suspend", "suspended"),
    ("challenge", "challenged"),
    ("fund", "funded"),
    ("build", "built"),
    ("close", "closed"),
    ("defend", "defended"),
    ("scrap", "scrapped"),
    ("revise", "revised"),
    ("award", "awarded"),
)
SAYING = (
    "said", "warned", "argued", "explained", "told Daily Maverick", "added", "insisted", "admitted",
    "noted", "wrote in a statement",
)
MODALS = ("would", "could", "should", "might", "will", "must", "may")
PREPOSITIONS = ("in", "across", "near", "outside", "around", "throughout", "beyond")
TIMES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend",
    "last week", "last month", "earlier this month", "this year", "in 2023", "in 2024",
    "since March", "by the end of the year", "before the elections", "over the past decade",
    "for the third time this month", "at dawn", "late on Sunday", "within 48 hours",
)
OPENERS = (
    "However", "Meanwhile", "In the meantime", "At the same time", "For now", "Even so",
    "In practice", "On paper", "By contrast", "Since then", "Until then", "In other words",
    "For residents", "According to the documents", "In a statement", "Later that day",
)
ROLES = (
    "a spokesperson", "the chief executive", "a senior researcher", "the chairperson",
    "an economist", "a ward councillor", "the provincial head", "a community leader",
    "a shop steward", "an engineer", "the acting director-general", "a policy analyst",
)
FIRST = (
    "Thandi", "Sipho", "Lerato", "Johan", "Naledi", "Pieter", "Ayesha", "Bongani", "Zanele", "Ruan",
    "Fatima", "Kagiso", "Lindiwe", "Greg", "Nomvula", "Themba", "Chipo", "Anathi", "Mandla", "Tumi",
    "Lwazi", "Refilwe", "Sizwe", "Marianne", "David", "Karabo", "Yusuf", "Nokuthula", "Andile",
    "Elena", "Farai", "Ebrahim", "Palesa", "Willem", "Chris", "Busi",
)
LAST = (
    "Mabaso", "Ndlovu", "Kotzé", "Sithole", "Pretorius", "Mthembu", "Dlamini", "Naidoo", "Botha",
    "Mokoena", "Khumalo", "van der Merwe", "Sebe", "Fourie", "Mutasa", "Booi", "Ebrahim",
    "Engelbrecht", "Maluleke", "Sekgobela", "Nkosi", "Mathebula", "Rammutla", "Shabalala",
    "Bezuidenhout", "Mkhize", "Hendricks", "Daniels", "Adams", "Pillay",
)
AGENCIES = (
    "Gallo Images", "EPA-EFE", "Bloomberg", "AFP", "Reuters", "BackpagePix", "Getty Images",
    "Daily Maverick", "Sunday Times", "Spotlight",
)
SPECIALS = (  # the characters that trouble converters, in the places they turn up in prose
    "the *critical* rating", "a field called branch_office_code", "where a < b",
    "below < 30% of capacity", "Transport & Logistics", "R&D spending", "AT&amp;T",
    "the file report_final_v2.xlsx", "marked with an asterisk (*)", "the snake_case_name column",
    "a 5 * 4 grid", "Q&A sessions", "a score &lt; 50", "the __init__ file", "the B&B owners",
    "*not emphasis*", "the _draft_ label",
)
FIGURES = (  # amounts that stand alone ("rose by 43%", a table cell)
    "R2.1bn",
    "R68-million",
    "43%",
    "1,600",
    "212",
    "$6 trillion",
    "12 months",
    "R30,000",
    "19",
    "60 million tonnes",
    "R1,500 a month",
    "8%",
    "2.4 million",
    "R4.3bn",
    "11",
    "40 kilometres",
    "R450",
    "R120-million",
    "5,000",
    "$587 million",
    "R17.6bn",
)
COUNTS = (  # numbers that take a plural noun ("212 households")
    "212",
    "1,600",
    "19",
    "11",
    "2.4 million",
    "5,000",
    "more than 40",
    "about 300",
    "almost 60",
    "dozens of",
    "hundreds of",
    "thousands of",
    "at least 14",
    "fewer than 20",
    "some 8,000",
)

SECTIONS = (  # (id, name, slug)
    ("3", "South Africa", "south-africa"),
    ("9", "Business Maverick", "business-maverick"),
    ("12", "Sport", "sport"),
    ("26", "Sci-Tech", "sci-tech"),
    ("38", "World", "world"),
    ("1165", "Our Burning Planet", "our-burning-planet"),
    ("41", "Opinionista", "opinionista"),
    ("1540", "Maverick Citizen", "maverick-citizen"),
    ("7", "Maverick Life", "maverick-life"),
    ("2", "Politics", "politics"),
    ("1870", "Africa", "africa"),
    ("52", "Newsdeck", "newsdeck"),
)

# fmt: on
REUTERS_P = (
    "text__text__1FZLe text__dark-grey__3Ml43 text__regular__2N1Xr text__small__1kGq2 "
    "body__full_width__ekUdw body__small_body__2vQyf article-body__paragraph__2-BtD"
)
REUTERS_LINK = (
    "text__text__1FZLe text__inherit-color__3208F text__inherit-font__1Y8w3 "
    "text__inherit-size__1DZJi link__link__3Ji6W link__underline_default__2prE_"
)
REUTERS_SIGNOFF = (
    "text__text__1FZLe text__dark-grey__3Ml43 text__regular__2N1Xr text__extra_small__1Mw6v "
    "body__full_width__ekUdw body__extra_small_body__3QTYe sign-off__text__PU3Aj"
)
LEGACY_SPAN = '<span style="font-family: georgia, palatino; font-size: 12pt;">'
EXTERNAL_HOSTS = (
    "https://www.reuters.com/markets/",
    "https://www.iea.org/reports/",
    "https://www.gov.za/speeches/",
    "https://www.treasury.gov.za/",
    "https://www.bbc.com/news/",
    "https://www.statssa.gov.za/publications/",
    "https://itif.org/publications/2024/",
    "https://www.scmp.com/tech/article/",
)


def _type_id() -> dict[str, Any]:
    return {
        "typeId": "1",
        "name": "Daily Maverick",
        "slug": "",
        "includeInIssue": "0",
        "shortened_domain": "",
        "stylesheetClass": "",
        "domain": "staging.dailymaverick.co.za",
        "articleUrlPrefix": "",
        "access_groups": "[]",
        "locale": "",
        "preview_limit": None,
    }


def _category(section: tuple[str, str, str], paid: bool) -> dict[str, Any]:
    cid, name, slug = section
    return {
        "id": cid,
        "name": name,
        "signature": f"Category:{cid}",
        "slug": slug,
        "typeId": _type_id(),
        "parentId": None,
        "parent": [],
        "image": "",
        "cover": "",
        "logo": "",
        "paid": "1" if paid else "0",
        "objectType": "Category",
        "url": f"{STAGING}/category/{slug}/",
        "cssCode": "",
        "template": "default",
        "tagline": "",
        "link_param": None,
        "description": "",
        "metaDescription": "",
        "order": "0",
        "pageId": None,
        "articlesCount": None,
        "allowComments": "1",
        "accessType": "paid" if paid else "freecount",
        "status": "1",
        "children": [],
        "cached": True,
    }


def _slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def _truncated_lognormal_mu(median: float, sigma: float, lo: float, hi: float) -> float:
    """mu such that log-normal(mu, sigma) truncated to [lo, hi] has the given median."""

    def cdf(x: float, mu: float) -> float:
        return 0.5 * (1 + math.erf((math.log(x) - mu) / (sigma * math.sqrt(2))))

    a, b = math.log(lo), math.log(hi)
    for _ in range(100):  # bisection: the truncated median rises with mu
        mu = (a + b) / 2
        if cdf(median, mu) > (cdf(lo, mu) + cdf(hi, mu)) / 2:
            a = mu
        else:
            b = mu
    return (a + b) / 2


class _Writer:
    """Generates one article after another from one seeded random stream."""

    def __init__(self, seed: int, median_kb: float) -> None:
        self.r = random.Random(seed)
        self.sigma = 0.42
        median = min(max(median_kb * KB, MIN_BODY + 1), MAX_BODY - 1)
        self.mu = _truncated_lognormal_mu(median, self.sigma, MIN_BODY, MAX_BODY)
        r = self.r
        # Fixed pools drawn once from the seed: authors and keywords recur across articles.
        self.authors = []
        for i in range(150):
            name = f"{r.choice(FIRST)} {r.choice(LAST)}"
            slug = _slugify(name)
            self.authors.append(
                {
                    "id": str(1500 + i * 7),
                    "name": name,
                    "image": f"{UPLOADS}/{name.replace(' ', '-')}.jpg" if r.random() < 0.4 else "",
                    "url": f"{STAGING}/author/{slug}/",
                    "editorialName": slug,
                    "department": r.choice(
                        ("", "", "", "Business Maverick", "Sport", "Our Burning Planet")
                    ),
                    "name_latin": "",
                }
            )
        self.reuters = {
            "id": "177",
            "name": "Reuters",
            "image": "https://www.dailymaverick.co.za/wp-content/uploads/4744.Reuters-Logo-1.jpg",
            "url": f"{STAGING}/author/reuters/",
            "editorialName": "reuters",
            "department": "",
            "name_latin": "",
        }
        words = sorted({*PLACES, *ORGS, *(n for n in NOUNS if " " in n), *ADJECTIVES[:10]})
        self.keywords = []
        for i, word in enumerate(words):
            name = word.removeprefix("the ").removeprefix("The ")
            kw = {
                "keywordId": str(4000 + i * 13),
                "name": name,
                "url": f"{STAGING}/keyword/{_slugify(name)}/",
                "slug": _slugify(name),
                "description": "",
                "articlesCount": 0,
                "replacedWith": None,
                "display_name": name if r.random() < 0.9 else name.capitalize(),
                "translations": None,
            }
            if r.random() < 0.02:
                kw["replacedWith"] = {
                    "keywordId": str(99 + i),
                    "name": name.split()[0],
                    "display_name": name.split()[0],
                    "slug": _slugify(name.split()[0]),
                }
            self.keywords.append({"type": "Keyword", "data": kw})
        self.next_id = 1_400_000
        self.special_rate = 0.0  # per sentence; set per article (most articles have none)
        self.recent: deque[tuple[str, datetime, datetime, str]] = deque(maxlen=2000)

    # -- prose -----------------------------------------------------------------------------

    def person(self) -> str:
        return f"{self.r.choice(FIRST)} {self.r.choice(LAST)}"

    def noun_phrase(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.45:
            return f"the {r.choice(ADJECTIVES)} {r.choice(NOUNS)}"
        if x < 0.7:
            return f"the {r.choice(NOUNS)} {r.choice(PREPOSITIONS)} {r.choice(PLACES)}"
        if x < 0.85:
            return f"{r.choice(COUNTS)} {r.choice(PLURALS)}"
        return f"the {r.choice(NOUNS)} of {r.choice(ORGS)}"

    def sentence(self) -> str:
        r = self.r
        x = r.random()
        base, past = r.choice(VERBS)
        if x < 0.3:
            s = (
                f"{r.choice(ACTORS)} {past} {r.choice(TIMES)} that "
                f"{r.choice(ORGS)} {r.choice(MODALS)} {r.choice(VERBS)[0]} {self.noun_phrase()}"
            )
        elif x < 0.45:
            inner = (
                f"{r.choice(ACTORS)} {r.choice(MODALS)} {base} "
                f"{self.noun_phrase()} {r.choice(TIMES)}"
            )
            s = (
                f"“{inner},” {r.choice(SAYING)} {self.person()}, "
                f"{r.choice(ROLES)} at {r.choice(ORGS)}"
            )
        elif x < 0.6:
            s = (
                f"{r.choice(OPENERS)}, {r.choice(ACTORS)} {past} {self.noun_phrase()}, "
                f"{r.choice(('which', 'although', 'because', 'while'))} {self.noun_phrase()} "
                f"{r.choice(MODALS)} {r.choice(VERBS)[0]} {self.noun_phrase()}"
            )
        elif x < 0.75:
            s = (
                f"{r.choice(ORGS)} {past} {self.noun_phrase()} {r.choice(TIMES)}, "
                f"according to {r.choice(ACTORS)}"
            )
        elif x < 0.9:
            s = (
                f"The {r.choice(NOUNS)} {r.choice(PREPOSITIONS)} {r.choice(PLACES)} was "
                f"{past} {r.choice(TIMES)}, and {r.choice(ACTORS)} {past} {self.noun_phrase()}"
            )
        else:
            s = (
                f"{r.choice(PLACES)} has {r.choice(('seen', 'lost', 'gained', 'needed'))} "
                f"{self.noun_phrase()} {r.choice(TIMES)}; {r.choice(ACTORS)} {r.choice(MODALS)} "
                f"{base} {self.noun_phrase()}"
            )
        if self.special_rate and r.random() < self.special_rate:
            s += f", including {r.choice(SPECIALS)}"
        s = "“" + s[1].upper() + s[2:] if s[0] == "“" else s[0].upper() + s[1:]
        return s + ("?" if r.random() < 0.05 else ".")

    def text(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def link(self, words: str, style: str) -> str:
        r = self.r
        if r.random() < 0.5:
            href = (
                f"{r.choice(EXTERNAL_HOSTS)}{_slugify(self.sentence())[:60]}"
                f"-{r.randint(2019, 2025)}/"
            )
        else:
            href = (
                f"https://www.dailymaverick.co.za/article/{r.randint(2019, 2025)}-"
                f"{r.randint(1, 12):02d}-{r.randint(1, 28):02d}-{_slugify(self.sentence())[:70]}/"
            )
        blank = ' target="_blank" rel="noopener"' if r.random() < 0.4 else ""
        if style == "reuters":
            extra = " link__with-icon__3x3oD" if blank else ""
            return (
                f'<a class="{REUTERS_LINK}{extra}" href="{href}"{blank} '
                f'data-testid="Link">{words}</a>'
            )
        return f'<a href="{href}"{blank}>{words}</a>'

    def inline(self, text: str, style: str) -> str:
        """Links, bold and italics over a few words of the text."""
        r = self.r
        words = text.split(" ")
        n = len(words)
        if n < 6:
            return text
        counts = (
            (0, 1, 1, 1, 2) if style == "reuters" else (0, 0, 0, 1, 1, 2)
        )  # seed: ~0.8 links/KB
        for _ in range(r.choice(counts)):
            i = r.randrange(0, n - 3)
            j = i + r.randint(1, 3)
            span = " ".join(words[i:j])
            if "<" in span or ">" in span or "&" in span or "“" in span or "”" in span:
                continue
            kind = r.random()
            if kind < 0.6:
                trail = " " if r.random() < 0.1 else ""  # the seed's "<a ...>claiming </a>to"
                new = self.link(span + trail, style)
            elif kind < 0.82:
                new = f"<strong>{span}</strong>"
            else:
                new = f"<em>{span}</em>"
            words[i:j] = [new]
            n = len(words)
            if n < 6:
                break
        return " ".join(words)

    def upload(
        self, year: int, month: int, *, size: tuple[int, int] | None = None
    ) -> tuple[str, int, int]:
        r = self.r
        w, h = size or r.choice(
            (
                (480, 229),
                (480, 273),
                (720, 480),
                (1024, 683),
                (300, 200),
                (480, 320),
                (800, 533),
                (2560, 1447),
            )
        )
        stem = r.choice(
            (
                f"ED_{r.randint(540000, 559999)}",
                "-".join(r.choice(NOUNS).replace(" ", "-") for _ in range(2)),
                f"{_slugify(r.choice(PLACES))}-{r.choice(PLURALS)}",
            )
        )
        suffix = "-scaled" if w == 2560 else f"-{w}x{h}"
        return f"{UPLOADS}/{year}/{month:02d}/{stem}{suffix}.jpg", w, h

    def credit(self) -> str:
        return f"(Photo: {self.r.choice(AGENCIES)} / {self.person()})"

    def img(self, year: int, month: int, cls: str = "alignnone size-medium", alt: str = "") -> str:
        url, w, h = self.upload(year, month)
        lazy = 'loading="lazy" ' if self.r.random() < 0.5 else ""
        return (
            f'<img {lazy}class="{cls} wp-image-{self.r.randint(100000, 2999999)}" src="{url}" '
            f'alt="{alt}" width="{w}" height="{h}" />'
        )

    # -- blocks ----------------------------------------------------------------------------

    def caption_shortcode(self, y: int, m: int) -> str:
        r = self.r
        url, w, h = self.upload(y, m)
        aid = r.randint(100000, 2999999)
        img = (
            f'<img class="size-medium wp-image-{aid}" src="{url}" alt="" '
            f'width="{w}" height="{h}" />'
        )
        if r.random() < 0.2:
            img = f'<a href="{url.rsplit("-", 1)[0]}.jpg">{img}</a>'
        caption = f"{self.text(1)} {self.credit()}"
        if r.random() < 0.15:
            caption = caption.replace(r.choice(PLACES), f"<em>{r.choice(PLACES)}</em>", 1)
        align = r.choice(("alignnone", "aligncenter", "alignright"))
        width = w if r.random() > 0.03 else 0
        if r.random() < 0.2:  # the caption="..." attribute form
            caption = caption.replace('"', "&quot;")
            return (
                f'[caption id="attachment_{aid}" align="{align}" width="{width}" '
                f'caption="{caption}"]{img}[/caption]'
            )
        return (
            f'[caption id="attachment_{aid}" align="{align}" width="{width}"]'
            f"{img} {caption}[/caption]"
        )

    def tweet(self) -> str:
        r = self.r
        handle = r.choice(
            (
                "BrixtonCF",
                "CityofCT",
                "Eskom_SA",
                "TransnetSA",
                "SAPoliceService",
                "dailymaverick",
                "WaterCAN_SA",
            )
        )
        status = r.randint(1_600_000_000_000_000_000, 1_899_999_999_999_999_999)
        tco = "".join(
            r.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10)
        )
        return (
            f'<blockquote class="twitter-tweet" data-width="550"><p lang="en" dir="ltr">'
            f'{self.text(1)} <a href="https://t.co/{tco}">pic.twitter.com/{tco}</a></p>'
            f'&mdash; {self.person()} (@{handle}) <a href="https://twitter.com/{handle}/status/'
            f'{status}?ref_src=twsrc%5Etfw">January {r.randint(1, 28)}, 2025</a></blockquote> '
            '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
        )

    def youtube_id(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return "".join(self.r.choice(alphabet) for _ in range(11))

    def youtube(self) -> str:
        return (
            '<iframe width="560" height="315" '
            f'src="https://www.youtube.com/embed/{self.youtube_id()}" '
            f'title="{self.text(1)[:70].rstrip(" .,")}" frameborder="0" allow="accelerometer; '
            "autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; "
            'web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>'
        )

    def datawrapper(self) -> str:
        chart = "".join(
            self.r.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
            for _ in range(5)
        )
        return (
            f'<iframe title="{self.noun_phrase().capitalize()}" '
            'aria-label="Interactive line chart" '
            f'id="datawrapper-chart-{chart}" src="https://datawrapper.dwcdn.net/{chart}/3/" '
            'scrolling="no" frameborder="0" style="width: 0; min-width: 100% !important; border: '
            'none;" height="420" data-external="1"></iframe><script type="text/javascript">'
            '!function(){"use strict";window.addEventListener("message",(function(a){if(void 0!=='
            'a.data["datawrapper-height"]){var e=document.querySelectorAll("iframe");for(var t in '
            'a.data["datawrapper-height"])for(var r=0;r<e.length;r++)'
            "if(e[r].contentWindow===a.source)"
            '{var i=a.data["datawrapper-height"][t]+"px";e[r].style.height=i}}}))}();\n</script>'
        )

    def items(self, tag: str, nl: str) -> str:
        r = self.r
        lis = []
        for _ in range(r.randint(3, 6)):
            item = self.inline(self.text(1), "classic")
            if r.random() < 0.08:
                sub = nl.join(f"<li>{self.text(1)}</li>" for _ in range(2))
                item += f"{nl}<ul>{nl}{sub}{nl}</ul>{nl}"
            lis.append(f"<li>{item}</li>")
        return f"<{tag}>{nl}{nl.join(lis)}{nl}</{tag}>"

    def table(self, nl: str) -> str:
        r = self.r
        cols = r.randint(3, 5)
        head = nl.join(f"<th>{r.choice(NOUNS).capitalize()}</th>" for _ in range(cols))
        rows = []
        for _ in range(r.randint(3, 8)):
            cells = [f"<td>{r.choice(PLACES)}</td>"]
            cells += [f"<td>{r.choice(FIGURES)}</td>" for _ in range(cols - 1)]
            if r.random() < 0.2:
                cells[-1] = f"<td>{self.link(r.choice(ORGS), 'classic')}</td>"
            rows.append(f"<tr>{nl}{nl.join(cells)}{nl}</tr>")
        return (
            f"<table>{nl}<thead>{nl}<tr>{nl}{head}{nl}</tr>{nl}</thead>{nl}<tbody>{nl}"
            f"{nl.join(rows)}{nl}</tbody>{nl}</table>"
        )

    def blockquote(self, nl: str) -> str:
        if self.r.random() < 0.5:
            return f"<blockquote>{self.text(self.r.randint(1, 3))}</blockquote>"
        ps = nl.join(
            f"<p>{self.text(self.r.randint(1, 3))}</p>" for _ in range(self.r.randint(2, 3))
        )
        return f"<blockquote>{nl}{ps}{nl}</blockquote>"

    def read_more(self) -> str:
        title = self.text(1).rstrip(".?")[:90]
        return f"<strong>Read more in Daily Maverick: {self.link(title, 'classic')}</strong>"

    def classic_block(self, y: int, m: int, nl2: str, nl: str) -> str:
        r = self.r
        x = r.random()
        if x < 0.66:
            return self.inline(self.text(r.randint(2, 6)), "classic")
        if x < 0.72:
            tag = r.choice(("h2", "h2", "h3", "h4"))
            return f"<{tag}>{self.heading_text()}</{tag}>"
        if x < 0.75:
            return self.img(y, m)
        if x < 0.785:
            return self.caption_shortcode(y, m)
        if x < 0.815:
            return self.items(r.choice(("ul", "ul", "ol")), nl)
        if x < 0.835:
            return self.blockquote(nl)
        if x < 0.865:
            return self.read_more()
        if x < 0.875:
            return self.tweet()
        if x < 0.885:
            return self.youtube()
        if x < 0.89:
            return f"https://www.youtube.com/watch?v={self.youtube_id()}"
        if x < 0.893:
            return f"[embed]https://vimeo.com/{r.randint(100000000, 999999999)}[/embed]"
        if x < 0.897:
            return self.datawrapper()
        if x < 0.907:
            return self.table(nl)
        if x < 0.915:
            return "<hr />"
        if x < 0.935:  # a paragraph with single line breaks (an address, a list typed by hand)
            return nl.join(self.sentence() for _ in range(r.randint(2, 4)))
        return self.inline(self.text(r.randint(1, 3)), "classic")

    def heading_text(self) -> str:
        r = self.r
        return r.choice(
            (
                f"{r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS)}",
                f"What the {r.choice(NOUNS)} means for {r.choice(PLACES)}",
                f"The {r.choice(NOUNS)} gap",
                f"Who pays for the {r.choice(NOUNS)}?",
                f"{r.choice(PLACES)}: the {r.choice(ADJECTIVES)} {r.choice(NOUNS)}",
            )
        )

    # -- bodies ----------------------------------------------------------------------------

    def body(self, style: str, target: int, y: int, m: int) -> str:
        r = self.r
        parts: list[str] = []
        size = 0
        half_block = 300  # stop when the next block would overshoot the target by more than this
        goal = max(target - half_block, MIN_BODY)
        limit = MAX_BODY - 450  # room for the sign-off: no body grows past MAX_BODY

        def add(s: str, sep: int) -> bool:
            nonlocal size
            if size + len(s) + sep > limit and parts:
                return False
            parts.append(s)
            size += len(s) + sep
            return True

        if style == "classic":
            sep = "\r\n\r\n" if r.random() < 0.8 else "\n\n"
            nl = sep[: len(sep) // 2]
            while size < goal and add(self.classic_block(y, m, sep, nl), len(sep)):
                pass
            if r.random() < 0.6:
                parts[-1] = parts[-1] + " <strong>DM</strong>"
            return sep.join(parts)

        if style == "reuters":
            n = 1
            for _ in range(r.randint(1, 3)):  # an intro typed into the editor, then the paste
                add(self.inline(self.text(r.randint(2, 5)), "reuters") + "\r\n", 2)
            out = ["\r\n".join(parts)]
            size = len(out[0])
            while size < goal:
                x = r.random()
                if x < 0.08:
                    block = f"<h2>{self.heading_text()}</h2>\n"
                elif x < 0.13:
                    block = f'<div data-testid="paragraph-{n}">{self.img(y, m)}</div>\n'
                elif x < 0.17:
                    block = '<div class="article-body__element__2p5pI"></div>\n'
                elif x < 0.19:
                    block = f"\n{self.img(y, m)}\n\n"
                else:
                    text = self.inline(self.text(r.randint(2, 6)), "reuters")
                    block = f'<div class="{REUTERS_P}" data-testid="paragraph-{n}">{text}</div>\n'
                    if r.random() < 0.85:
                        block += f'<div data-testid="paragraph-{n}"></div>\n'
                    n += r.choice((1, 1, 1, 0))
                if size + len(block) > limit:
                    break
                out.append(block)
                size += len(block)
            who = "; ".join(f"{k} by {self.person()}" for k in ("Reporting", "Editing"))
            if r.random() < 0.5:
                out.append(
                    f'<div class="article-body__element__2p5pI">\n<p class="{REUTERS_SIGNOFF}" '
                    f'data-testid="Body">{who}</p>\n\n</div>\n</div>'
                )
            else:
                out[-1] = out[-1].rstrip("\n").removesuffix("</div>") + " <strong>DM</strong></div>"
            return "".join(out)

        if style == "legacy":
            nl = "\r\n"
            span = LEGACY_SPAN
            while size < goal:
                x = r.random()
                if x < 0.75:
                    text = self.inline(self.text(r.randint(2, 5)), "classic")
                    if r.random() < 0.15:
                        text += f' <span style="color: #000000;">{self.sentence()}</span>'
                    if r.random() < 0.2:
                        text += "&nbsp;"
                    opener = '<p style="text-align: justify;">' if r.random() < 0.1 else "<p>"
                    block = f"{opener}{span}{text}</span></p>"
                elif x < 0.83:
                    block = (
                        f'<h3><span style="font-family: georgia, palatino; font-size: 14pt; '
                        f'color: #333333;">{self.heading_text()}</span></h3>'
                    )
                elif x < 0.88:
                    block = "<p>&nbsp;</p>"
                elif x < 0.94:
                    block = f"<p>{self.img(y, m, 'aligncenter size-full')}</p>"
                elif x < 0.97:
                    block = f"<p>{span}<b>{self.text(1)}</b></span></p>"
                else:
                    block = f"<p>{span}<i>{self.text(2)}</i></span></p>"
                if not add(block, len(nl)):
                    break
            return nl + nl.join(parts)

        # gallery: <p><img> caption</p> rows after the editor's empty mceTemp divs
        nl = "\r\n"
        add('<div class="mceTemp"></div>', 2)
        add('<div class="mceTemp"></div>', 2)
        while size < goal:
            x = r.random()
            if x < 0.65:
                img = self.img(
                    y, m, "size-full", alt="" if r.random() < 0.85 else self.text(1)[:-1]
                )
                if r.random() < 0.12:
                    full = f"{UPLOADS}/{y}/{m:02d}/ED_{r.randint(540000, 559999)}-full.jpg"
                    img = f'<a href="{full}">{img}</a>'
                cap = "" if r.random() < 0.08 else f" {self.text(r.randint(1, 2))} {self.credit()}"
                block = f"<p>{img}{cap}</p>"
            else:
                block = f"<p>{self.inline(self.text(r.randint(2, 4)), 'classic')}</p>"
            if not add(block, 2):
                break
        return nl.join(parts)

    # -- records ---------------------------------------------------------------------------

    def lead_image(self, year: int, month: int) -> dict[str, Any] | None:
        r = self.r
        stem = f"{_slugify(r.choice(PLACES))}-{r.choice(NOUNS).replace(' ', '-')}"
        path = f"wp-content/uploads/{year}/{month:02d}/{stem}.jpg"
        att: dict[str, Any] = {
            "id": str(r.randint(4000, 2999999)),
            "name": "" if r.random() < 0.15 else self.text(1)[:-1],
            "description": ""
            if r.random() < 0.1
            else f"Photo: {r.choice(AGENCIES)} / {self.person()}",
            "focal": "50% 50%"
            if r.random() < 0.9
            else f"{r.randint(10, 90)}% {r.randint(10, 90)}%",
            "width": 0,
            "height": 0,
            "url": f"{CDN}/dailymaverick/{path}",
        }
        if year < 2017 and r.random() < 0.7:  # legacy: only url and int width/height
            att["url"] = f"{CDN}/dailymaverick/wp-content/uploads/{stem}-1600x875.jpg"
            att["width"], att["height"] = 1600, 875
            att["type"] = "image"
            return att
        transforms = []
        for x, y in (("200", "100"), ("450", "0"), ("800", "0"), ("1200", "0"), ("1600", "0")):
            sig = base64.urlsafe_b64encode(r.randbytes(20)).decode("ascii")
            strip = "" if x == "450" else "filters:strip_exif()/"
            transforms.append(
                {
                    "x": x,
                    "y": y,
                    "url": f"{CDN}/i/{sig}/{x}x{y}/smart/{strip}file/dailymaverick/{path}",
                }
            )
        att["transforms"] = transforms
        for key, t in zip(
            ("url_thumbnail", "url_medium", "url_large", "url_xl", "url_xxl"),
            transforms,
            strict=True,
        ):
            att[key] = t["url"]
        att["type"] = "image"
        return att

    def record(self) -> dict[str, Any]:
        r = self.r
        duplicate = None
        if self.recent and r.random() < 0.01:
            duplicate = self.recent[r.randrange(len(self.recent))]
        style = r.choices(("classic", "reuters", "legacy", "gallery"), (0.47, 0.25, 0.18, 0.10))[0]
        if duplicate is not None:
            article_id, published, previous_update, title = duplicate
            modified = previous_update + timedelta(minutes=r.randint(5, 60 * 24 * 10))
            title = title + " – updated"
        else:
            self.next_id += r.randint(1, 40)
            article_id = str(self.next_id)
            span = (2012, 2017) if style == "legacy" else (2018, 2025)
            start = datetime(span[0], 1, 1)
            days = (datetime(span[1], 10, 31) - start).days
            published = start + timedelta(days=r.randrange(days), seconds=r.randrange(86400))
            if r.random() < 0.01:  # scheduled: saved before it went out
                modified = published - timedelta(hours=r.randint(1, 20), seconds=r.randrange(3600))
            elif r.random() < 0.3:
                modified = published + timedelta(seconds=r.randint(1, 3))
            else:
                modified = published + timedelta(
                    minutes=r.randint(1, 60 * 24 * 5), seconds=r.randrange(60)
                )
            title = self.title()
            self.recent.append((article_id, published, modified, title))
        y, m = published.year, published.month
        # About a quarter of articles carry a few of the characters that trouble Markdown
        # writers in their prose (*, _, <, &); the rest have none (URLs and &nbsp; aside).
        self.special_rate = 0.03 if r.random() < 0.25 else 0.0
        target = self.size()
        contents = self.body(style, target, y, m)
        paywalled = r.random() < 0.01
        if paywalled:  # the export carries only a teaser, cut mid-sentence
            cut = max(MIN_BODY, len(contents) // 4)
            space = contents.find(" ", cut)
            contents = contents[: space if space > 0 else cut]
        draft = r.random() < 0.02
        sections = r.sample(SECTIONS, r.choice((1, 1, 2, 2, 3)))
        if style == "reuters" and r.random() < 0.7:
            sections[0] = SECTIONS[4]
        slug = _slugify(title)[:100].strip("-")
        prefix = "opinionista" if sections[0][2] == "opinionista" else "article"
        url = f"{STAGING}/{prefix}/{published:%Y-%m-%d}-{slug}/"
        if style == "reuters":
            authors = [self.reuters] if r.random() < 0.8 else [self.reuters, r.choice(self.authors)]
        else:
            authors = r.sample(self.authors, r.choice((1, 1, 1, 1, 2)))
        keywords = r.sample(self.keywords, r.randint(0, 8))
        strings = r.random() < 0.1  # integers written as strings, as some exports do

        def num(value: int) -> int | str:
            return str(value) if strings else value

        summary = self.text(1)
        rec: dict[str, Any] = {
            "access_control": paywalled,
            "status": "draft" if draft else "publish",
            "objectType": "Article",
            "id": article_id,
            "signature": f"Article:{article_id}",
            "url": url,
            "shorturl": f"{STAGING}/article/{article_id}",
            "slug": slug,
            "contentType": {"id": "1", "name": "Article", "slug": "article"},
            "views": num(r.choice((0, 0, r.randint(1, 50000)))),
            "comments": num(r.choice((0, 0, r.randint(1, 300)))),
            "preview_limit": None,
            "excludedFromGoogleSearchEngine": num(1 if r.random() < 0.01 else 0),
            "title": title,
            "firstPublished": f"{published:%Y-%m-%d %H:%M:%S}",
            "lastUpdate": f"{modified:%Y-%m-%d %H:%M:%S}",
            "categories": [_category(s, paywalled and i == 0) for i, s in enumerate(sections)],
            "content_length": num(int(len(contents) * (3 if paywalled else 0.7))),
            "contents": contents,
            "teaser": title,
            "externalUrl": "",
            "sponsor": None,
            "authors": authors,
            "description": "" if r.random() < 0.8 else self.text(2),
            "keywords": keywords,
            "short_summary": None if r.random() < 0.85 else self.text(1),
            "source": None,
            "related": [],
            "options": [],
            "attachments": [],
            "summary": summary if r.random() < 0.92 else None,
            "template_type": None,
            "dm_custom_section_label": None
            if r.random() < 0.9
            else r.choice(("Analysis", "Explainer", "Op-Ed")),
            "elements": [],
            "seo": {
                "search_title": title,
                "search_description": contents.lstrip()[:200],  # cut mid-tag, as the CMS does
                "social_title": title,
                "social_description": contents.lstrip()[:200],
                "social_image": "",
            },
            "cached": True,
            "access_allowed": not paywalled,
        }
        shape = r.random()
        if shape < 0.05:  # no attachments key and no seo block (samples/09)
            del rec["attachments"], rec["seo"]
            rec.update(
                {
                    "dm-key-theme": [r.choice(("energy", "water", "health", "transport"))],
                    "dm-article-theme": ["accountability"],
                    "dm-user-need": ["update me"],
                    "time_to_read": str(max(1, len(contents) // 1500)),
                    "inline_attachments": [],
                    "access_groups": [],
                    "counted_in_paywall": "0",
                    "introduction": None,
                }
            )
        elif shape > 0.05 + 0.04:  # 4% keep "attachments": []
            lead = self.lead_image(y, m)
            if lead is not None:
                rec["attachments"] = [lead]
        return rec

    def title(self) -> str:
        r = self.r
        t = r.choice(
            (
                f"{r.choice(PLACES)} {r.choice(NOUNS)}: {r.choice(ACTORS)} "
                f"{r.choice(VERBS)[1]} {self.noun_phrase()}",
                f"{r.choice(ORGS)} {r.choice(VERBS)[1]} {self.noun_phrase()} "
                f"as {r.choice(PLURALS)} wait",
                f"Explainer: how the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} would work",
                f"{self.person()}: the {r.choice(NOUNS)} that "
                f"{r.choice(VERBS)[1]} {r.choice(PLACES)}",
                f"{r.choice(COUNTS)} {r.choice(PLURALS)} and a {r.choice(ADJECTIVES)} "
                f"{r.choice(NOUNS)} in {r.choice(PLACES)}",
            )
        )
        return t[0].upper() + t[1:]

    def size(self) -> int:
        while True:
            n = int(math.exp(self.r.gauss(self.mu, self.sigma)))
            if MIN_BODY <= n <= MAX_BODY:
                return n


# ---------------------------------------------------------------------------------------------
# --like FILE: records shaped like one real record (the seed)

_WORD = re.compile(r"[A-Za-z]{3,}")
_TAG = re.compile(r"(<[^>]*>)")


def _read_record(path: str) -> dict[str, Any]:
    """One article record from a JSON file or a CMS debug dump (a header line, then JSON)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if not text.lstrip().startswith("{"):
        text = text.partition("\n")[2]  # "All Article Properties:"
    value: dict[str, Any] = json.loads(text)
    return value


class _Like:
    """Records whose body has the template's structure, piece by piece, at a log-normal size.

    The template's body is cut into groups at every line that carries prose (>= 100 visible
    characters): a group is that line and the tag-only lines after it (empty Reuters twins,
    images, wrappers). A new body is the first group, then the middle groups in order, cycled or
    cut short to reach the drawn size, then the last group (which holds the closing tags and the
    sign-off), joined with the template's own newline. Every word of three letters or more in the
    text (never inside a tag) is replaced by a word of the vocabulary, capitalised alike, so no
    two bodies are the same but the markup (classes, attributes, links, images, empty twins,
    CRLF) is the template's. The metadata is the template's with a new id, title, slug, URLs
    and dates."""

    def __init__(self, path: str, seed: int, median_kb: float) -> None:
        self.template = _read_record(path)
        self.r = random.Random(seed)
        self.sigma = 0.42
        median = min(max(median_kb * KB, MIN_BODY + 1), MAX_BODY - 1)
        self.mu = _truncated_lognormal_mu(median, self.sigma, MIN_BODY, MAX_BODY)
        body = self.template.get("contents") or ""
        self.newline = "\r\n" if "\r\n" in body else "\n"
        groups: list[list[str]] = []
        for line in body.split(self.newline):
            visible = len(_TAG.sub("", line).strip())
            if visible >= 100 or not groups:
                groups.append([line])
            else:
                groups[-1].append(line)
        self.groups = [self.newline.join(g) for g in groups]
        self.words = sorted(
            {w for phrase in (*NOUNS, *PLURALS, *ADJECTIVES) for w in phrase.split() if len(w) > 2}
        )
        self.first = datetime.fromisoformat(self.template.get("firstPublished") or "2025-01-27")
        self.number = int(self.template.get("id") or 1000) * 10

    def _rewrite(self, html: str) -> str:
        r, words = self.r, self.words

        def word(m: re.Match[str]) -> str:
            w = r.choice(words)
            return w.capitalize() if m.group(0)[0].isupper() else w

        parts = _TAG.split(html)
        for i in range(0, len(parts), 2):  # even indices: text between tags
            parts[i] = _WORD.sub(word, parts[i])
        return "".join(parts)

    def body(self) -> str:
        while True:
            size = int(math.exp(self.r.gauss(self.mu, self.sigma)))
            if MIN_BODY <= size <= MAX_BODY:
                break
        first, middle, last = self.groups[0], self.groups[1:-1], self.groups[-1:]
        out = [self._rewrite(first)]
        length = len(out[0]) + sum(len(g) for g in last)
        k = 0
        while middle and length < size:
            piece = self._rewrite(middle[k % len(middle)])
            out.append(piece)
            length += len(piece) + len(self.newline)
            k += 1
        out += [self._rewrite(g) for g in last]
        return self.newline.join(out)

    def record(self, i: int) -> dict[str, Any]:
        rec = json.loads(json.dumps(self.template))  # a deep copy that keeps key order
        ident = str(self.number + i)
        title = self._rewrite(" ".join(self.r.choice(self.words) for _ in range(8))).capitalize()
        when = self.first - timedelta(hours=7 * i, minutes=self.r.randrange(60))
        slug = _slugify(title)
        contents = self.body()
        updates = {
            "id": ident,
            "signature": f"Article:{ident}",
            "url": f"{STAGING}/article/{when:%Y-%m-%d}-{slug}/",
            "shorturl": f"{STAGING}/article/{ident}",
            "slug": slug,
            "title": title,
            "firstPublished": f"{when:%Y-%m-%d %H:%M:%S}",
            "lastUpdate": f"{when + timedelta(minutes=1):%Y-%m-%d %H:%M:%S}",
            "content_length": len(_TAG.sub("", contents)),
            "contents": contents,
            "teaser": title,
        }
        for key, value in updates.items():
            if key in rec:
                rec[key] = value
        if isinstance(rec.get("seo"), dict):
            rec["seo"]["search_title"] = title
            rec["seo"]["search_description"] = _TAG.sub("", contents)[:155]
        return rec


def generate_like(
    path: str, count: int, seed: int = 1, median_kb: float = 12.0
) -> Iterator[dict[str, Any]]:
    """``count`` records shaped like the record in ``path`` (see _Like), one at a time."""
    like = _Like(path, seed, median_kb)
    for i in range(count):
        yield like.record(i)


def generate(count: int, seed: int = 1, median_kb: float = 12.0) -> Iterator[dict[str, Any]]:
    """``count`` article records, one at a time."""
    writer = _Writer(seed, median_kb)
    for _ in range(count):
        yield writer.record()


def lines(
    count: int, seed: int = 1, median_kb: float = 12.0, like: str | None = None
) -> Iterator[str]:
    """The same records as compact JSON text, one per line (no newline)."""
    records = (
        generate_like(like, count, seed, median_kb) if like else generate(count, seed, median_kb)
    )
    for rec in records:
        yield _dumps(rec)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="number of records")
    parser.add_argument("--out", required=True, help="output .jsonl file, or - for stdout")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--median-kb", type=float, default=12.0, help="median body size (KB)")
    parser.add_argument(
        "--like", metavar="FILE", help="records shaped like this one (JSON or CMS dump .txt)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    sizes: list[int] = []
    out: TextIO
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    try:
        records = (
            generate_like(args.like, args.count, args.seed, args.median_kb)
            if args.like
            else generate(args.count, args.seed, args.median_kb)
        )
        for rec in records:
            out.write(_dumps(rec))
            out.write("\n")
            if len(sizes) < 20000:  # a sample for the summary; the corpus itself is never held
                sizes.append(len(rec["contents"]))
    finally:
        if out is not sys.stdout:
            out.close()
    sizes.sort()
    if sizes:
        print(
            f"{args.count} records → {args.out} in {time.perf_counter() - start:.1f} s; body "
            f"median {sizes[len(sizes) // 2] / KB:.1f} KB, min {sizes[0] / KB:.1f}, "
            f"max {sizes[-1] / KB:.1f} (first {len(sizes)} records)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
