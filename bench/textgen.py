"""Headlines, excerpts, links and images that read like real news, from one seeded RNG.

Everything here draws from the `random.Random` it is given and nothing else, so the
same seed gives the same text on every machine and every run.
"""

from __future__ import annotations

import datetime as dt
import re
from random import Random

from . import words

Parts = dict[str, str]  # what a headline is about: actor, subject, place
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Actors that end in "s" but are one company: they take "unveils", not "unveil".
_SINGULAR_S = frozenset({"Siemens", "Airbus"})
_IMAGE_SIZES = ((1280, 720), (1200, 630), (1024, 683), (864, 864), (685, 598), (1920, 1080), (800, 450))
_IMAGE_EXTS = ("jpg", "jpg", "jpg", "png", "webp")


def slug(text: str, limit: int = 70) -> str:
    """A URL path segment from a headline, as CMSs make them."""
    return _NON_SLUG.sub("-", text.casefold()).strip("-")[:limit].rstrip("-")


def _plural(actor: str) -> bool:
    return actor.endswith("s") and actor not in _SINGULAR_S


def _third_person(verb: str) -> str:
    head, _, rest = verb.partition(" ")
    head = head + "es" if head.endswith(("ch", "sh", "s", "x")) else head + "s"
    return f"{head} {rest}" if rest else head


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class TextMaker:
    """Realistic text for one corpus; all randomness comes from `rng`."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def _fill(self, template: str, topic: str, year: int, keep: Parts | None = None) -> tuple[str, Parts]:
        rng = self.rng
        parts: Parts = {
            "actor": rng.choice(words.ACTORS),
            "subject": rng.choice(words.TOPICS[topic]),
            "place": rng.choice(words.PLACES),
        }
        if keep:
            parts |= keep
        verb = rng.choice(words.VERBS)
        plural = _plural(parts["actor"])
        text = template.format(
            actor=parts["actor"],
            verb=verb if plural else _third_person(verb),
            subject=parts["subject"],
            Subject=_cap(parts["subject"]),
            qualifier=rng.choice(words.QUALIFIERS),
            outcome=rng.choice(words.OUTCOMES),
            field=rng.choice(words.FIELDS),
            goal=rng.choice(words.GOALS),
            reason=rng.choice(words.REASONS),
            place=parts["place"],
            place2=rng.choice([p for p in words.PLACES if p != parts["place"]]),
            number=rng.choice((3, 4, 5, 7, 10, 12, 20, 40)),
            year=year,
            journal=rng.choice(words.JOURNALS),
        )
        return (text.replace(" bets on", " bet on") if plural else text), parts

    def headline(self, topic: str, year: int, keep: Parts | None = None) -> tuple[str, Parts]:
        """A headline and what it is about (to write other coverage of the same story)."""
        return self._fill(self.rng.choice(words.HEADLINE_TEMPLATES), topic, year, keep)

    def variant(self, title: str) -> str:
        """The same headline as another outlet words it: near-identical, same key words."""
        rng = self.rng
        choice = rng.randrange(4)
        if choice == 0 and not title.startswith("Report: "):
            return "Report: " + title
        if choice == 1:
            for old, new in (
                ("Researchers", "Scientists"),
                ("Scientists", "Researchers"),
                ("Engineers", "Researchers"),
            ):
                if old in title:
                    return title.replace(old, new, 1)
        if choice == 2:
            return " ".join(w if len(w) <= 3 else _cap(w) for w in title.split(" "))
        return title.rstrip(".") + (" (video)" if rng.random() < 0.3 else " \u2013 update")

    def excerpt(self, topic: str, low: int, high: int, keep: Parts | None = None) -> str:
        """A few sentences, cut at a word boundary like feed excerpts often are."""
        rng = self.rng
        target = rng.randint(low, high)
        sentences = list(words.EXCERPT_SENTENCES)
        rng.shuffle(sentences)
        text = ""
        for template in sentences:
            text = (text + " " + self._fill(template, topic, 2025, keep)[0]).strip()
            if len(text) >= target:
                break
        if len(text) > high:
            text = text[:high].rsplit(" ", 1)[0].rstrip(",;:") + ","
        return text

    def url(self, domain: str, title: str, when: dt.datetime, token: str) -> str:
        rng = self.rng
        section = rng.choice(words.SECTIONS)
        part = slug(title)
        shape = rng.randrange(4)
        if shape == 0:
            return f"https://www.{domain}/{section}/{when:%Y/%m/%d}/{part}-{token}/"
        if shape == 1:
            return f"https://{domain}/{section}/{part}-{token}.html"
        if shape == 2:
            return f"https://www.{domain}/{when:%Y-%m}-{part}-{token}"
        return f"https://{domain}/{section}/{token}/{part}"

    def images(
        self, domain: str, title: str, when: dt.datetime, count: int, token: str
    ) -> list[dict[str, object]]:
        rng = self.rng
        out: list[dict[str, object]] = []
        for k in range(count):
            width, height = rng.choice(_IMAGE_SIZES)
            ext = rng.choice(_IMAGE_EXTS)
            host = rng.choice((f"www.{domain}", f"cdn.{domain}", f"media.{domain}", "images.newscdn.net"))
            shape = rng.randrange(3)
            if shape == 0:
                path = f"/wp-content/uploads/{when:%Y/%m}/{slug(title, 40)}-{k + 1}.{ext}"
            elif shape == 1:
                path = f"/images/{token}/{width}x{height}.{ext}?w={width}&q=80"
            else:
                path = f"/sites/default/files/styles/jumbotron/public/{when:%Y-%m}/{slug(title, 24)}.{ext}?itok={token[:8]}"
            image: dict[str, object] = {"url": f"https://{host}{path}", "width": width, "height": height}
            if rng.random() < 0.7:
                image["isCached"] = rng.random() < 0.8
            out.append(image)
        return out
