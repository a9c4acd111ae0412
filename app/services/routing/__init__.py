"""Routing: every ticket to the agent best placed to solve it now, explained, never assigned twice.
The scoring is a pure function (`scoring`); gathering facts, storing decisions, push and pull around it."""
