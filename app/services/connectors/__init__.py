"""Connectors to outside tools: the account-lookup protocol (`base`), entry-point discovery, the HTTP
connector (the only module importing `requests`), its circuit breaker, the team's display cache in
PostgreSQL, the worker's verification (what rules decide on), finding the account on a ticket, the desk's
account area and the demo's tool."""
