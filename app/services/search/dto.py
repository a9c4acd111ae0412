"""What search hands out: frozen values (the views see these, never the index)."""

from __future__ import annotations

import datetime as dt
import html as _html
from dataclasses import dataclass

KIND_LABELS = {"ticket": "tickets", "article": "articles", "customer": "customers"}
PLURAL_TO_KIND = {"tickets": "ticket", "articles": "article", "customers": "customer"}


@dataclass(frozen=True)
class SearchHit:
    """`snippet` is plain text; `highlights` are (start, end) character ranges in it to mark."""

    kind: str
    id: int
    number: int | None
    title: str
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    status: str = ""
    queue: str = ""
    customer: str = ""
    updated: dt.datetime | None = None
    score: float = 0.0

    @property
    def is_internal(self) -> bool:
        """An article for agents only: never put into a reply to a customer."""
        return self.kind == "article" and "internal" in self.status.split()

    @property
    def article_marks(self) -> tuple[str, ...]:
        """What a person should know of an article before using it: "Internal", "Draft", "Archived"."""
        if self.kind != "article":
            return ()
        state = self.status.split()[0] if self.status else ""
        return (
            *(("Internal",) if self.is_internal else ()),
            *((state.title(),) if state in ("draft", "archived") else ()),
        )

    def marked_snippet(self, start: str = "[", end: str = "]", *, html: bool = False) -> str:
        """The snippet with its highlights between `start` and `end`; `html` escapes the text (never the
        marks), so customer text cannot forge markup."""
        quote = _html.escape if html else str
        out, last = [], 0
        for s, e in self.highlights:
            out += [quote(self.snippet[last:s]), start, quote(self.snippet[s:e]), end]
            last = e
        out.append(quote(self.snippet[last:]))
        return "".join(out)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "snippet": self.marked_snippet("<b>", "</b>", html=True),
            "snippet_text": self.snippet,
            "highlights": [list(h) for h in self.highlights],
            "status": self.status or None,
            "queue": self.queue or None,
            "updated": self.updated.isoformat() if self.updated else None,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class BuildProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0


@dataclass(frozen=True)
class SearchResults:
    """`source` is "index" or "database" (the index is being built: slower, and says so). `total`: how many
    documents match in all when the caller asked the index to count (`Search.search(count=True)`, the CLI);
    None when it did not; from the database, the number of hits returned."""

    query: str
    hits: tuple[SearchHit, ...]
    total: int | None
    source: str
    notes: tuple[str, ...] = ()
    progress: BuildProgress | None = None

    @property
    def from_database(self) -> bool:
        return self.source == "database"

    @property
    def status_line(self) -> str | None:
        """What to tell the person besides the hits: the fallback, and what was not understood."""
        lines = list(self.notes)
        if self.from_database and not any(note.startswith("The search index") for note in lines):
            building = f" ({self.progress.percent}% built)" if self.progress else ""
            lines.insert(
                0, f"Answered from the database while the search index is built{building}: slower, no typo tolerance."
            )
        return " ".join(lines) or None

    def as_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "source": self.source,
            "total": self.total,
            "notes": list(self.notes),
            "progress": {"done": self.progress.done, "total": self.progress.total} if self.progress else None,
            "hits": [hit.as_json() for hit in self.hits],
        }


@dataclass(frozen=True)
class IndexStatus:
    state: str  # "ready", "building", "missing"
    path: str
    position: tuple[int, int] | None
    documents: dict[str, int]
    size_bytes: int
    writer: bool
    progress: BuildProgress | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "path": self.path,
            "position": list(self.position) if self.position else None,
            "documents": self.documents,
            "size_bytes": self.size_bytes,
            "writer": self.writer,
            "progress": {"done": self.progress.done, "total": self.progress.total} if self.progress else None,
        }
