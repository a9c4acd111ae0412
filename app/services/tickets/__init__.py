"""Tickets: the lifecycle rules (pure) and the service functions that apply them."""
