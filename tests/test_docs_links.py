"""Every relative link of README.md, CHANGELOG.md and docs/*.md resolves: the file exists, and a #fragment names a heading."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import ROOT

PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def prose(text: str) -> str:
    """The page without its fenced code blocks and inline code spans (neither holds links)."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """The fragments a Markdown heading gets on GitHub: lower case, punctuation dropped, spaces as hyphens."""
    found: set[str] = set()
    for line in FENCE.sub("", path.read_text("utf-8")).splitlines():
        heading = re.match(r"^#{1,6} (.+?)\s*#*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def links(path: Path) -> list[str]:
    return [target for target in LINK.findall(prose(path.read_text("utf-8")))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def test_the_pages_have_relative_links_to_check():
    assert sum(len(links(page)) for page in PAGES) >= 20
    assert (ROOT / "docs" / "deploying.md") in PAGES


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page):
        file_part, _, fragment = target.partition("#")
        where = (page.parent / file_part).resolve() if file_part else page
        if not where.exists():
            broken.append(f"{target}: no such file")
        elif fragment and where.suffix == ".md" and fragment not in anchors(where):
            broken.append(f"{target}: no heading #{fragment} in {where.relative_to(ROOT)}")
    assert broken == [], f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_a_broken_link_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [bad](#nothing) [gone](missing.md) `[code](x.md)`\n", "utf-8")
    assert links(page) == ["#title", "#nothing", "missing.md"]
    assert anchors(page) == {"title"}
