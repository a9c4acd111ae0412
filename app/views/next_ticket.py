""" "Get next ticket" (G, and in the command palette): claim the most urgent unassigned ticket of one's queues
(`desk.routing.next_ticket`, `FOR UPDATE SKIP LOCKED`: two agents pressing G at once never get the same one)
and open it: in the queue when the view lists it, otherwise just in the editor. Nothing waiting is said in
the status bar. One claim at a time: G pressed again while a claim is under way does not claim twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.services.tickets.dto import TicketChanged

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

MESSAGE_MS = 8000
NOTHING_WAITING = "Nothing is waiting in your queues."
# An admin sees every queue's tickets but claims only from the queues they work: "nothing is waiting" beside
# an Unassigned view of urgent tickets read as a fault.
NO_QUEUE = "You are a member of no queue, so there is nothing to get: Get next takes tickets from your queues."


class TicketPuller(QObject):
    """Attributes:
    in_flight: true while a claim is under way.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main_window = window
        self.in_flight = False

    def pull(self) -> None:
        if self.in_flight:
            return
        self.in_flight = True
        routing = self.main_window.desk.routing
        self.main_window.runner.run(routing.next_ticket, self._claimed, self._failed)

    def _claimed(self, claimed: TicketChanged | None) -> None:
        self.in_flight = False
        window = self.main_window
        if claimed is None:
            vocabulary, me = window.editor.vocabulary, window.desk.me
            me_key = str(me.agent_id)  # claims come from the queues one is a member of (leading one is not enough)
            works_none = vocabulary is not None and not any(agent == me_key for _queue, agent in vocabulary.members)
            window.status.showMessage(NO_QUEUE if works_none else NOTHING_WAITING, MESSAGE_MS)
            return
        ticket = claimed.ticket
        window.live_updates.own_change([ticket])  # in the queue, where it sorts, when the view lists it
        window.open_ticket(ticket)
        window.editor.follow_live([ticket])  # it was open already: read again, now with its new assignee
        window.refresh_counts()
        where = "" if window.model.row_of(ticket.id) is not None else " (not in this view: open on the right)"
        window.status.showMessage(f"#{ticket.number} is yours now{where}.", MESSAGE_MS)

    def _failed(self, error: Exception) -> None:
        self.in_flight = False
        self.main_window.status.report(error)
