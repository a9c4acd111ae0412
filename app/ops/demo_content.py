"""The words of the demo: queues, people, products and conversations that read like a real help desk."""

from __future__ import annotations

QUEUES: dict[str, str] = {
    "Billing": "Invoices, refunds, payment methods and plan changes.",
    "Technical Support": "Errors, outages, integrations and the API.",
    "Accounts & Access": "Sign-in, SSO, two-factor and user management.",
    "Shipping & Returns": "Hardware orders, deliveries, returns and exchanges.",
}

# (login, display name, role, languages, {skill: level}, queues)
AGENTS: list[tuple[str, str, str, list[str], dict[str, int], list[str]]] = [
    (
        "amelie.durand",
        "Amélie Durand",
        "supervisor",
        ["fr", "en"],
        {"billing": 5, "refunds": 4},
        ["Billing", "Accounts & Access"],
    ),
    ("ben.okafor", "Ben Okafor", "agent", ["en"], {"billing": 3, "invoices": 4}, ["Billing"]),
    ("carla.mendes", "Carla Mendes", "agent", ["pt", "es", "en"], {"api": 4, "integrations": 3}, ["Technical Support"]),
    (
        "daniel.kowalski",
        "Daniel Kowalski",
        "supervisor",
        ["pl", "en", "de"],
        {"api": 5, "outages": 5},
        ["Technical Support", "Shipping & Returns"],
    ),
    ("emma.lindqvist", "Emma Lindqvist", "agent", ["sv", "en"], {"sso": 4, "2fa": 4}, ["Accounts & Access"]),
    ("farid.haddad", "Farid Haddad", "agent", ["ar", "fr", "en"], {"integrations": 4, "api": 2}, ["Technical Support"]),
    ("grace.liu", "Grace Liu", "agent", ["zh", "en"], {"shipping": 4, "returns": 3}, ["Shipping & Returns"]),
    (
        "hannah.becker",
        "Hannah Becker",
        "agent",
        ["de", "en"],
        {"billing": 2, "sso": 3},
        ["Billing", "Accounts & Access"],
    ),
    ("ivan.petrov", "Ivan Petrov", "agent", ["ru", "en"], {"outages": 3, "api": 3}, ["Technical Support"]),
    (
        "julia.rossi",
        "Julia Rossi",
        "admin",
        ["it", "en"],
        {"returns": 4, "billing": 3},
        ["Shipping & Returns", "Billing"],
    ),
]

# Where each demo agent works and when: (time zone, weekly shift as `agent shift --on` takes it). Several
# intervals a day where there is a break. The two leads and the admin keep no schedule (they cover whenever
# they are available), so every queue has someone routing may reach at any hour of the week, wherever and
# whenever the demo is run; everyone else is off shift at night and at the weekend in their own time zone.
ROSTERS: dict[str, tuple[str, list[str]]] = {
    "amelie.durand": ("Europe/Paris", []),
    "ben.okafor": ("Africa/Lagos", ["mon-fri=08:00-12:00,13:00-17:00"]),
    "carla.mendes": ("America/Sao_Paulo", ["mon-fri=09:00-13:00,14:00-18:00"]),
    "daniel.kowalski": ("Europe/Warsaw", []),
    "emma.lindqvist": ("Europe/Stockholm", ["mon-thu=07:30-16:00", "fri=07:30-12:00"]),
    "farid.haddad": ("Asia/Dubai", ["mon-fri=08:00-16:00"]),
    "grace.liu": ("Asia/Singapore", ["mon-fri=09:00-18:00", "sat=10:00-14:00"]),
    "hannah.becker": ("Europe/Berlin", ["mon-tue=08:00-16:30", "thu-fri=08:00-16:30"]),  # Wednesdays off
    "ivan.petrov": ("Europe/Sofia", ["mon-fri=10:00-13:00,14:00-19:00"]),
    "julia.rossi": ("Europe/Rome", []),
}
# One agent on holiday: (login, days after the demo's "now" the out of office runs through, in their own
# time zone, the substitute who takes their customers meanwhile: another agent of their queue).
OUT_OF_OFFICE = ("ivan.petrov", 9, "farid.haddad")

ORGANISATIONS = [
    ("Northwind Traders", "northwind.example"),
    ("Contoso Pharmaceuticals", "contoso.example"),
    ("Fabrikam Logistics", "fabrikam.example"),
    ("Tailspin Toys", "tailspin.example"),
    ("Wide World Importers", "wideworld.example"),
    ("Adventure Works Cycles", "adventure-works.example"),
    ("Litware Health", "litware.example"),
    ("Proseware Labs", "proseware.example"),
    ("Woodgrove Bank", "woodgrove.example"),
    ("Lucerne Publishing", "lucerne.example"),
    ("Coho Winery", "coho.example"),
    ("Alpine Ski House", "alpineski.example"),
    ("Blue Yonder Airlines", "blueyonder.example"),
    ("Margie's Travel", "margies.example"),
    ("Trey Research", "treyresearch.example"),
    ("Graphic Design Institute", "gdi.example"),
]

FIRST_NAMES = [
    "Olivia",
    "Noah",
    "Mia",
    "Lucas",
    "Sofia",
    "Mateo",
    "Aiko",
    "Kenji",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
    "Chloé",
    "Hugo",
    "Zanele",
    "Thabo",
    "Marta",
    "Piotr",
    "Elena",
    "Marco",
    "Sara",
    "Yusuf",
    "Leila",
    "Tomás",
    "Hana",
    "Jonas",
    "Nora",
    "Felix",
    "Grace",
    "Samuel",
    "Isabel",
    "Diego",
    "Anya",
    "Mikhail",
]
LAST_NAMES = [
    "Johnson",
    "García",
    "Müller",
    "Rossi",
    "Nakamura",
    "Sato",
    "Patel",
    "Sharma",
    "Haddad",
    "Nilsson",
    "Dubois",
    "Moreau",
    "Dlamini",
    "Nowak",
    "Ivanova",
    "Bianchi",
    "Kaya",
    "Fernández",
    "Hansen",
    "O'Brien",
    "Novak",
    "Schmidt",
    "Lefebvre",
    "Kim",
    "Park",
    "Silva",
    "Costa",
    "Andersen",
    "Murphy",
    "Chen",
]
LANGUAGES = ["en", "en", "en", "en", "de", "fr", "es", "pt", "it", "sv", "pl"]

PRODUCTS = [
    "Switchboard Cloud",
    "Relay Pro",
    "Beacon Router X2",
    "Ledger Sync",
    "Atlas Analytics",
    "Harbor Backup",
    "Pulse Mobile App",
    "Keystone SSO",
    "Orbit API",
    "Quill Invoicing",
]
ERROR_CODES = [
    "E1042",
    "ERR_TIMEOUT_504",
    "AUTH-401-7",
    "SYNC_CONFLICT_22",
    "DB-LOCK-58",
    "PAY-DECLINED-05",
    "RATE_LIMIT_429",
    "CERT_EXPIRED",
    "E2210",
    "QUOTA_EXCEEDED",
]

# Per queue: (subject, customer's first message, agent's reply, customer's follow-up) with {placeholders}.
SCENARIOS: dict[str, list[tuple[str, str, str, str]]] = {
    "Billing": [
        (
            "Charged twice for {product} in {month}",
            "Hello,\n\nI was charged twice for my {product} subscription this month (invoice {invoice}). "
            "Could you refund the duplicate payment?\n\nThanks,\n{first}",
            "Hi {first},\n\nSorry about that. I can see two charges on {invoice}; I've refunded the duplicate. "
            "It should reach your card within 5 business days.\n\nBest regards,\n{agent}",
            "Thanks, I can see the refund as pending now.",
        ),
        (
            "Invoice {invoice} shows the wrong VAT number",
            "Hi,\n\nOur VAT number on invoice {invoice} is wrong; it should be {vat}. Our accounts team cannot "
            "book it like this. Can you reissue it?\n\n{first} {last}\n{org}",
            "Hello {first},\n\nI've updated the VAT number to {vat} and reissued invoice {invoice}. You'll find "
            "the corrected PDF in the billing portal.\n\nKind regards,\n{agent}",
            "Perfect, that works for our accounts team.",
        ),
        (
            "Card declined ({code}) when upgrading to the annual plan",
            "When I try to upgrade to the annual {product} plan I get error {code}. The card works elsewhere.",
            "Hi {first},\n\n{code} comes from your bank's 3-D Secure check. Please try again and approve the "
            "payment in your banking app; if it still fails I can send you a bank transfer invoice.\n\n{agent}",
            "It worked on the second try, thank you!",
        ),
        (
            "Refund request for order {order}",
            "We cancelled within the trial period but were still billed for order {order}. Please refund.",
            "Hello {first},\n\nYou're right, the cancellation was registered on time. The refund for {order} is "
            "on its way.\n\n{agent}",
            "Received, thanks.",
        ),
    ],
    "Technical Support": [
        (
            "{product} sync fails with {code}",
            "Since this morning {product} fails to sync with error {code}. About 40 users are affected. "
            "Logs attached.\n\n{first}",
            "Hi {first},\n\nThanks for the logs. {code} points to an expired token on the connector. Could you "
            "reconnect the integration under Settings → Connections and tell me if the sync resumes?\n\n{agent}",
            "Reconnecting fixed it for most users, but two still see the error.",
        ),
        (
            "API returns 500 on /v2/orders since the last release",
            "Our integration gets HTTP 500 from /v2/orders for about 10% of requests since yesterday's release. "
            "Request id example: {request_id}.",
            "Hi {first},\n\nThank you, the request id helped. Engineering has reproduced it and a fix is being "
            "deployed. I'll update you once it's live.\n\n{agent}",
            "Any news on the fix? We are still seeing errors.",
        ),
        (
            "{product} is very slow after the update",
            "Since updating {product} every page takes 10+ seconds to load. This is blocking our support team.",
            "Hello {first},\n\nCould you tell me your browser version and send a HAR file of one slow page load? "
            "That tells us whether it's the network or the server.\n\n{agent}",
            "HAR file attached. Chrome 131 on Windows 11.",
        ),
        (
            "Webhook deliveries failing ({code})",
            "None of our webhooks have been delivered since Friday; the dashboard shows {code}.",
            "Hi {first},\n\n{code} means your endpoint's TLS certificate expired. Once it's renewed, deliveries "
            "will retry automatically for 72 hours.\n\n{agent}",
            "Certificate renewed, deliveries are flowing again.",
        ),
    ],
    "Accounts & Access": [
        (
            "Locked out after resetting two-factor authentication",
            "I got a new phone and can't sign in to {product} anymore; the 2FA codes are rejected.",
            "Hi {first},\n\nI've verified your identity and reset two-factor authentication on your account. "
            "You'll be asked to enrol your new phone at the next sign-in.\n\n{agent}",
            "I'm back in, thank you so much.",
        ),
        (
            "SSO login loops back to the sign-in page",
            "Since we rotated our SAML certificate, SSO into {product} loops back to the login page for "
            "everyone at {org}.",
            "Hello {first},\n\nThe new certificate's fingerprint needs to be uploaded on our side too. Please "
            "send the metadata XML and I'll update the configuration.\n\n{agent}",
            "Metadata XML attached.",
        ),
        (
            "Please remove a former employee's access",
            "{other} has left {org}. Please deactivate their {product} account and transfer their tickets to me.",
            "Hi {first},\n\nDone: the account is deactivated and its items now belong to you.\n\n{agent}",
            "Great, thanks for the quick help.",
        ),
    ],
    "Shipping & Returns": [
        (
            "Order {order} has not arrived",
            "Our order {order} ({product}, 3 units) was due last Tuesday and the tracking hasn't moved since.",
            "Hi {first},\n\nThe carrier reports the parcel held at their depot. I've asked for a redelivery "
            "tomorrow; if it doesn't arrive I'll ship a replacement.\n\n{agent}",
            "It arrived this morning, thanks.",
        ),
        (
            "Return request: {product} arrived damaged",
            "The {product} from order {order} arrived with a cracked casing. Photos attached. I'd like a replacement.",
            "Hello {first},\n\nSorry to see that. I've created return label RMA-{rma}; the replacement ships as "
            "soon as the carrier scans the return.\n\n{agent}",
            "Label printed, the parcel goes out today.",
        ),
        (
            "Change delivery address for order {order}",
            "We've moved offices. Could you change the delivery address for order {order} to our new site?",
            "Hi {first},\n\nThe order hasn't shipped yet, so I've updated the address.\n\n{agent}",
            "Thank you!",
        ),
    ],
}

NOTES = [
    "Checked the logs: the issue started right after the deployment at 09:40.",
    "Customer is on the enterprise plan; handle with priority.",
    "Escalated to engineering, internal reference ENG-{request_id}.",
    "Same problem as last week for this organisation; see the linked ticket.",
    "Waiting for the finance team to approve the refund.",
]


# Canned responses: (title, queue or None for every queue, body with placeholders).
RESPONSES = [
    (
        "Thanks, looking into it",
        None,
        "Hello {customer_first_name},\n\nthank you for getting in touch. I'm looking into ticket #{ticket_number} "
        "now and will get back to you shortly.\n\n{signature}",
    ),
    (
        "Need more details",
        None,
        "Hello {customer_first_name},\n\ncould you send the exact error message, the time it happened and a "
        "screenshot? That will let us find the cause quickly.\n\n{signature}",
    ),
    (
        "Resolved, please confirm",
        None,
        "Hello {customer_first_name},\n\nthe issue should be resolved now. Could you confirm on your side? If we "
        "don't hear back, we'll close the ticket in a few days.\n\n{signature}",
    ),
    (
        "Refund issued",
        "Billing",
        "Hello {customer_first_name},\n\nwe have issued the refund; it shows on your statement within 5 to 10 "
        "business days.\n\n{signature}",
    ),
    (
        "Corrected invoice",
        "Billing",
        "Hello {customer_first_name},\n\nattached is the corrected invoice. The old one is void.\n\n{signature}",
    ),
    (
        "Password reset link",
        "Accounts & Access",
        "Hello {customer_first_name},\n\nI have sent a password reset link to your address; it is valid for one "
        "hour.\n\n{signature}",
    ),
    (
        "Return label",
        "Shipping & Returns",
        "Hello {customer_first_name},\n\nyour return label is attached. Please drop the parcel at any carrier "
        "point within 14 days.\n\n{signature}",
    ),
]


# Routing: the skills a ticket wants, by queue and by tag (skill -> minimum level), for the default
# configuration every queue uses.
ROUTING_SETTINGS = {
    "weights": {"skill": 3, "language": 2, "room": 2, "stickiness": 1, "track_record": 0.5, "sla_risk": 1},
    "overflow_cap": 2,
    "urgent_weight": 2,
    "skills_by_tag": {
        "refund": {"refunds": 2},
        "invoice": {"invoices": 2},
        "vat": {"invoices": 3},
        "upgrade": {"billing": 2},
        "api": {"api": 3},
        "webhook": {"integrations": 2},
        "sync": {"integrations": 2},
        "outage": {"outages": 3},
        "sso": {"sso": 3},
        "2fa": {"2fa": 2},
        "delivery": {"shipping": 2},
        "rma": {"returns": 2},
    },
}
