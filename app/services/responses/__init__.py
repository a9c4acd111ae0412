"""Canned responses: the team's answers with placeholders (the customer's name, the agent's signature …),
filled in for one ticket by the server, chosen by typing in the client."""
