"""People: agents and their logins, user administration, the first admin, and looking people and queues up."""
