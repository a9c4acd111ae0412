"""The supervisor view (issue 14): the escalation board, team load and SLA compliance charts, for team
leads and admins."""
