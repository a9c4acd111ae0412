"""Drafts on local disk, written as the agent types: a crash, a kill or a lost connection loses nothing.

The drafts of one login are a journal, `drafts.journal`: one JSON line per change, appended at once on the
GUI thread (an append of a few kilobytes to the page cache takes microseconds), so every keystroke shown on
screen is already in the kernel's hands and survives `kill -9` of the client. What survives a power cut is
what has been fsynced: a background thread fsyncs the journal shortly after each change, one fsync for all
the changes of a burst of typing, so the disk's latency never reaches the keyboard.

Opening the store replays the journal (a torn last line, as a power cut may leave, is ignored) and
compacts it to one line per draft (written to a new file, fsynced, renamed over the old one), taking in
the per-ticket JSON files earlier versions wrote.

A ticket has a draft per mode, the reply to the customer and the internal note, each kept on its own:
switching modes shows the other one's text, so what was written for colleagues never becomes a reply by a
keypress (a usability probe wrote "INTERNAL ONLY: on the churn list", pressed Esc and R, and the same text
stood ready to send to the customer). A discard line without a mode (earlier versions) discards both.

Several processes of one login may share the directory: each holds a shared lock on `drafts.lock`, and
only a process that finds itself alone compacts.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX; without it (Windows) the journal is compacted without asking other processes first
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms the tests run on
    fcntl = None  # type: ignore[assignment]

JOURNAL = "drafts.journal"
SYNC_BATCH_S = 0.05  # changes within this long after one another share one fsync


@dataclass(frozen=True)
class Draft:
    ticket_id: int
    mode: str  # "reply" or "note"
    text: str


class DraftStore:
    """Attributes:
    directory: where the drafts of this login live.
    journal: the journal file.
    syncs: how many fsyncs the background thread has done (tests and benchmarks read it).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.journal = directory / JOURNAL
        self.syncs = 0
        self._drafts: dict[int, dict[str, Draft]] = {}  # per ticket, per mode, the last changed last
        self._lock = threading.Lock()  # the GUI thread's appends against the syncer's view of the file
        self._wake = threading.Condition(self._lock)
        self._unsynced = False
        self._stopping = False
        self._syncer: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._torn = False  # the journal ended in the middle of a line (a power cut while appending)
        self._fd = self._open()
        self._closer = weakref.finalize(self, _close_all, self._fd, self._lock_fd)  # a store let go of

    # --- what the composer calls (GUI thread, never waits for the disk) --------------------------------

    def load(self, ticket_id: int, mode: str | None = None) -> Draft | None:
        """The ticket's draft in `mode`; without one, the draft last changed (the mode to open it in)."""
        drafts = self._drafts.get(ticket_id, {})
        if mode is not None:
            return drafts.get(mode)
        return next(reversed(drafts.values()), None)

    def save(self, draft: Draft) -> None:
        """Record the draft as it is now; an empty one is a discard of that mode's."""
        if not draft.text.strip():
            self.discard(draft.ticket_id, draft.mode)
            return
        if self.load(draft.ticket_id, draft.mode) == draft:
            return
        self._keep(draft)
        self._append({"t": draft.ticket_id, "m": draft.mode, "x": draft.text})

    def discard(self, ticket_id: int, mode: str | None = None) -> None:
        """The ticket's draft in `mode` goes, or (None) both of its drafts."""
        if self._forget(ticket_id, mode):
            self._append({"t": ticket_id, "x": None} if mode is None else {"t": ticket_id, "m": mode, "x": None})

    def _forget(self, ticket_id: int, mode: str | None) -> bool:
        """Drop the draft in `mode` (None: both); whether there was one."""
        drafts = self._drafts.get(ticket_id, {})
        gone = bool(drafts) if mode is None else drafts.pop(mode, None) is not None
        if mode is None or not drafts:
            self._drafts.pop(ticket_id, None)
        return gone

    def _keep(self, draft: Draft) -> None:
        drafts = self._drafts.setdefault(draft.ticket_id, {})
        drafts.pop(draft.mode, None)  # to the end: the draft last changed is the one a ticket opens in
        drafts[draft.mode] = draft

    def flush(self) -> None:
        """Make everything durable now and stop the background thread (quitting; a later change starts
        it again)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
            syncer, self._syncer = self._syncer, None
        if syncer is not None:
            syncer.join()
        with self._wake:
            self._stopping = False
            if self._unsynced:
                os.fsync(self._fd)
                self._unsynced = False
                self.syncs += 1

    def close(self) -> None:
        self.flush()
        self._closer()

    # --- the journal ---------------------------------------------------------------------------------

    def _append(self, record: dict[str, object]) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._wake:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            self._unsynced = True
            if self._syncer is None:
                self._syncer = threading.Thread(target=self._sync_loop, name="switchboard-draft-sync", daemon=True)
                self._syncer.start()
            self._wake.notify()

    def _sync_loop(self) -> None:
        while True:
            with self._wake:
                while not self._unsynced and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return  # flush() does the last fsync itself
                self._unsynced = False
            os.fsync(self._fd)  # outside the lock: appends go on while the disk works
            self.syncs += 1
            with self._wake:  # let a burst of typing gather before the next fsync
                if not self._stopping:
                    self._wake.wait(SYNC_BATCH_S)

    def _open(self) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        alone = self._take_lock()
        legacy = sorted(self.directory.glob("ticket-*.json"))
        lines = self._replay(legacy)
        if alone and (lines > sum(len(drafts) for drafts in self._drafts.values()) or legacy):
            self._compact()
            for path in legacy:
                path.unlink(missing_ok=True)
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if self._torn:
            os.write(fd, b"\n")  # the next line must not be glued to a torn one
        return fd

    def _take_lock(self) -> bool:
        """A shared lock for this store's life; true when no other process holds one (we may compact)."""
        if fcntl is None:
            return True
        self._lock_fd = os.open(self.directory / "drafts.lock", os.O_RDWR | os.O_CREAT, 0o600)
        alone = True
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            alone = False
        fcntl.flock(self._lock_fd, fcntl.LOCK_SH)  # downgrades an exclusive lock, or waits for a compaction
        return alone

    def _replay(self, legacy: list[Path]) -> int:
        for path in legacy:  # drafts written before the journal: older than anything in it
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                data = json.loads(path.read_text(encoding="utf-8"))
                self._keep(Draft(int(data["ticket_id"]), str(data["mode"]), data["text"]))
        try:
            content = self.journal.read_bytes()
        except FileNotFoundError:
            return 0
        self._torn = bool(content) and not content.endswith(b"\n")
        lines = [line for line in content.split(b"\n") if line.strip()]
        for raw in lines:
            try:
                record = json.loads(raw)
                ticket_id, text = int(record["t"]), record["x"]
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line
            mode = record.get("m")
            if text is None:
                self._forget(ticket_id, None if mode is None else str(mode))
            else:
                self._keep(Draft(ticket_id, str(mode or "reply"), str(text)))
        return len(lines)

    def _compact(self) -> None:
        temporary = self.directory / f".{JOURNAL}.tmp"
        with open(temporary, "wb") as stream:
            for draft in (draft for drafts in self._drafts.values() for draft in drafts.values()):
                record = {"t": draft.ticket_id, "m": draft.mode, "x": draft.text}
                stream.write((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.journal)
        self._torn = False
        with contextlib.suppress(OSError):  # the rename itself made durable (POSIX)
            directory = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)


def _close_all(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
