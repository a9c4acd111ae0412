"""Switchboard: an on-premise help desk for support teams."""

__version__ = "0.1.0"
