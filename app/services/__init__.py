"""All behaviour of Switchboard: no Qt here, usable from the CLI, the worker, the desktop client and tests."""
