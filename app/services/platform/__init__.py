"""The ground the areas stand on: the database and its migrations, settings, credentials, the unit of work
with its domain events, the change log, live updates, background jobs, redaction and HTML sanitising."""
