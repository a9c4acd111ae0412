"""The demo's knowledge base: articles a real help desk of this kind would keep, in a category tree.

Written by the demo's people through the same functions the app uses (each as their own agent, on the
loader's trusted session), so authors, versions and the change log are what they would be: most are
published, a few are internal, a few are still drafts of agents, one is archived and one has a second
version (a diff to look at). `ensure_demo_articles` adds them once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from app.models import Agent, KnowledgeArticle
from app.services.knowledge import service
from app.services.knowledge.dto import ArticleState, Visibility
from app.services.platform.uow import UnitOfWork

EDITOR_AGENT = "emma.lindqvist"  # an agent the admin makes an editor
ADMIN = "julia.rossi"


@dataclass(frozen=True)
class DemoArticle:
    category: tuple[str, ...]
    title: str
    body: str
    tags: tuple[str, ...]
    author: str
    visibility: Visibility = Visibility.PUBLIC
    state: ArticleState = ArticleState.PUBLISHED


def _a(
    category: str,
    title: str,
    body: str,
    tags: str,
    author: str,
    *,
    visibility: Visibility = Visibility.PUBLIC,
    state: ArticleState = ArticleState.PUBLISHED,
) -> DemoArticle:
    return DemoArticle(
        tuple(category.split("/")), title, _unwrapped(body), tuple(tags.split()), author, visibility, state
    )


def _unwrapped(body: str) -> str:
    """Paragraphs as one line each (they are wrapped here only to fit the source); list items stay lines."""
    paragraphs = []
    for paragraph in body.strip().split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            starts_item = re.match(r"\s*(?:\d+\.|-)\s", line) is not None
            if lines and not starts_item and not lines[-1].endswith(":"):
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.strip() if not starts_item else line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


AMELIE, DANIEL, JULIA, EMMA = "amelie.durand", "daniel.kowalski", "julia.rossi", "emma.lindqvist"
INTERNAL, DRAFT, ARCHIVED = Visibility.INTERNAL, ArticleState.DRAFT, ArticleState.ARCHIVED

ARTICLES: list[DemoArticle] = [
    # --- Billing ------------------------------------------------------------------------------------------
    _a(
        "Billing/Refunds",
        "How to refund a duplicate charge",
        """
A customer sees two charges for the same invoice, usually after a card payment was retried by their bank.

1. Open the customer's billing portal and find the invoice number they give you.
2. Check the payments tab: a duplicate shows two successful payments with the same amount on one invoice.
3. Choose the second payment and click Refund; pick the reason "Duplicate".
4. Tell the customer the refund reaches their card in 5 to 10 business days, depending on their bank.

Only refund payments marked "succeeded". A payment that is still "pending" usually disappears by itself
within 48 hours; ask the customer to wait and check again.
""",
        "refund duplicate-charge invoice card",
        AMELIE,
    ),
    _a(
        "Billing/Refunds",
        "Refund policy: cancellations within the trial or the 14-day window",
        """
Customers who cancel during the free trial are never charged. If a charge went through anyway (the
cancellation and the renewal crossed), refund it in full without asking for a reason.

Monthly plans: a refund is possible within 14 days of the charge when the workspace was not used
(no logins after the charge). Annual plans: a prorated refund for the unused months within the first
30 days; after that, the plan runs to its end and is not renewed.

Always note the refund amount and reason on the ticket, and set the ticket to Resolved once the refund
shows as issued.
""",
        "refund cancellation trial policy",
        AMELIE,
    ),
    _a(
        "Billing/Refunds",
        "Partial refunds and goodwill credits: who may approve what",
        """
Agents may issue a goodwill credit of up to 50 EUR (or the same in USD/GBP) on the next invoice without
approval, for example after an outage that hit the customer. Anything above that, and any partial refund
to a card, needs a team lead's approval: add an internal note with the amount and the reason, and assign
the ticket to the Billing team lead.

Never promise an amount to the customer before it is approved.
""",
        "refund goodwill credit approval",
        AMELIE,
        visibility=INTERNAL,
    ),
    _a(
        "Billing/Refunds",
        "Chargebacks: what to do when a customer disputes a payment",
        """
A chargeback arrives as an email from the payment provider, not from the customer. Do not refund a
payment that is under dispute: the bank has already taken the money back, and a refund would pay it twice.

1. Tag the ticket "chargeback" and set the priority to High.
2. Collect the invoice, the customer's usage after the charge, and any earlier conversation.
3. Forward the evidence to finance@ through the provider's dispute form within 7 days.
4. If the customer writes to us, be friendly and factual; we cannot cancel a dispute for them.
""",
        "chargeback dispute refund payment",
        AMELIE,
        visibility=INTERNAL,
    ),
    _a(
        "Billing/Invoices",
        "Correcting the VAT number or company address on an invoice",
        """
Invoices are legal documents; we never edit an issued invoice, we reissue it.

1. Update the VAT number or billing address in the customer's billing profile first.
2. On the invoice, choose Reissue. The old invoice is credited and a new one with a new number is issued.
3. The corrected PDF appears in the billing portal within a few minutes; send the customer the link.

EU VAT numbers are checked against VIES when saved. If the check fails, ask the customer to confirm the
number with their accounts team; do not save an unchecked number.
""",
        "invoice vat reissue address",
        AMELIE,
    ),
    _a(
        "Billing/Invoices",
        "Where customers find their invoices",
        """
Every invoice is in the billing portal under Settings → Billing → Invoices, as a PDF, from the first day
of the workspace. Owners and billing admins of the workspace can see it; ordinary members cannot.

Invoices are also sent by email to the billing contact. If they never arrive, check the billing contact
address in the profile and ask the customer to look in their spam folder for mail from billing@.
""",
        "invoice download billing-portal",
        AMELIE,
    ),
    _a(
        "Billing/Payment methods",
        "Card declined when upgrading or renewing",
        """
Most declines come from the card issuer, not from us. The error code tells you why:

- PAY-DECLINED-05 "Do not honour": the bank refused without a reason. The customer should call their bank
  or approve the payment in their banking app, then try again.
- 3-D Secure failed: the customer did not complete the bank's confirmation step. Ask them to retry and
  approve the payment in their banking app.
- Insufficient funds or expired card: ask for another card.

If a card keeps failing, offer to switch the plan to payment by bank transfer (annual plans only).
""",
        "payment card declined 3ds upgrade",
        AMELIE,
    ),
    _a(
        "Billing/Payment methods",
        "Switching from card payments to bank transfer",
        """
Annual plans above 1,000 EUR may be paid by bank transfer. Change the payment method in the billing
profile to "Invoice", and the next invoice is issued with our bank details and a 30-day term.

Remind the customer to put the invoice number in the transfer reference; payments without it take
days to match.
""",
        "payment bank-transfer invoice annual",
        JULIA,
    ),
    _a(
        "Billing/Plans & pricing",
        "Changing plans in the middle of a billing period",
        """
Upgrades take effect at once: the customer pays the difference for the rest of the period, prorated by
day, on a separate invoice. Downgrades take effect at the next renewal, so nobody loses features they
already paid for. Seats added during the period are prorated the same way; seats removed are credited at
renewal, not refunded.
""",
        "plan upgrade downgrade proration seats",
        AMELIE,
    ),
    _a(
        "Billing/Plans & pricing",
        "Nonprofit and education discounts",
        """
Registered nonprofits and accredited schools get 40% off any plan. Ask for proof of status (registration
certificate or the school's accreditation) and forward it to the Billing team lead, who applies the
coupon. The discount renews yearly as long as the status holds.
""",
        "discount nonprofit education pricing",
        JULIA,
    ),
    # --- Accounts & Access ---------------------------------------------------------------------------------
    _a(
        "Accounts & Access/Sign-in",
        "Customer cannot sign in: first checks",
        """
1. Ask which address they sign in with; many people have two.
2. Look the user up in the admin console: is the account active, and which sign-in method does the
   workspace require (password, SSO or both)?
3. If the workspace enforces SSO, a password reset does nothing: send them to their company sign-in page.
4. For password accounts, send a reset link from the console. Links expire after 60 minutes.

Never send a password in a ticket, and never reset a password on request without checking that the
request comes from the address on the account.
""",
        "sign-in login password reset",
        AMELIE,
    ),
    _a(
        "Accounts & Access/Sign-in",
        "Account locked after too many failed sign-ins",
        """
After 10 failed attempts in 15 minutes an account is locked for 30 minutes. The lock lifts by itself.
If the customer cannot wait, unlock it in the admin console under the user's Security tab, but only
after confirming the request comes from the account's own address: a lock may mean someone else is
guessing the password.
""",
        "sign-in locked security",
        EMMA,
    ),
    _a(
        "Accounts & Access/Two-factor",
        "Resetting two-factor authentication for a user who lost their phone",
        """
A lost phone means the user cannot produce codes. Recovery codes were shown when they set up two-factor;
ask them to use one first.

Without recovery codes, a workspace admin must confirm the request in writing (from their own address),
and then you reset two-factor from the admin console. The user sets it up again at the next sign-in.
Note in the ticket who confirmed the reset.
""",
        "2fa two-factor reset phone security",
        EMMA,
    ),
    _a(
        "Accounts & Access/Two-factor",
        "Two-factor codes are always rejected",
        """
Authenticator codes depend on the phone's clock. If every code is rejected, the phone's time is usually
off by more than a minute: ask the user to turn on automatic date and time, then try a new code.
SMS codes expire after 5 minutes and only the newest code works.
""",
        "2fa two-factor codes time",
        EMMA,
    ),
    _a(
        "Accounts & Access/SSO",
        "Setting up SAML single sign-on (Okta, Entra ID, Google)",
        """
SSO is available on the Business and Enterprise plans.

1. In the workspace settings, open Security → Single sign-on and copy the ACS URL and Entity ID.
2. In the identity provider, create a SAML app with those values and the email address as NameID.
3. Paste the provider's metadata URL back into our settings and click Test.
4. Only after a successful test, turn on "Require SSO"; keep one owner account with a password as a
   fallback.

Users who exist already are matched by email address; new users are created on their first sign-in.
""",
        "sso saml okta entra google",
        EMMA,
    ),
    _a(
        "Accounts & Access/SSO",
        "SSO error AUTH-401-7: the certificate expired",
        """
AUTH-401-7 means the identity provider signed the response with a certificate we no longer trust,
usually because it rotated its signing certificate. Ask the customer's IT to upload the new certificate
(or refresh the metadata URL) in Security → Single sign-on. Until then, owners can sign in with their
fallback password.
""",
        "sso certificate error auth-401",
        EMMA,
    ),
    _a(
        "Accounts & Access/Users",
        "Transferring workspace ownership",
        """
Only the current owner can transfer ownership, from Settings → Members. If the owner has left the
company, we need a written request from another admin of the workspace plus a confirmation from the
billing contact. Forward both to the Accounts team lead; we never transfer ownership on a single request.
""",
        "owner transfer members admin",
        AMELIE,
        visibility=INTERNAL,
    ),
    _a(
        "Accounts & Access/Users",
        "Removing a user who left the company",
        """
Admins remove users under Settings → Members → Remove. Their content stays and is reassigned to the
admin who removes them. Seats are freed at once, and the next invoice is lowered at renewal.
""",
        "users remove offboarding seats",
        EMMA,
    ),
    # --- Technical Support ---------------------------------------------------------------------------------
    _a(
        "Technical Support/Sync & errors",
        "Sync fails with SYNC_CONFLICT_22",
        """
SYNC_CONFLICT_22 means two devices changed the same record while one of them was offline. Nothing is
lost: the second version is kept as a conflict copy.

Ask the customer to open the record on the web, compare the two versions under History, and keep the
right one. If the error appears for many records at once, the device's clock is usually wrong; check
automatic time on the device.
""",
        "sync conflict error",
        DANIEL,
    ),
    _a(
        "Technical Support/Sync & errors",
        "Error E2210 after updating the desktop app",
        """
E2210 means the local cache was written by an older version and cannot be read. Ask the customer to quit
the app, then start it while holding Shift (Windows, Linux) or Option (macOS) and choose "Rebuild cache".
Nothing on the server is affected; the rebuild downloads their data again, which can take a few minutes.
""",
        "desktop error e2210 cache update",
        DANIEL,
    ),
    _a(
        "Technical Support/Integrations",
        "Reconnecting an integration after a token expired",
        """
Connectors use tokens that the other service expires (often after 90 days or a password change). When a
sync reports an expired or revoked token:

1. Settings → Connections → the integration → Reconnect.
2. Sign in to the other service with an account that still has access.
3. Run "Sync now" and check the last sync time updates.

If only some users are affected, their personal connections expired; each user must reconnect their own.
""",
        "integration token reconnect sync",
        DANIEL,
    ),
    _a(
        "Technical Support/API",
        "HTTP 429 from the API: rate limits",
        """
The API allows 600 requests per minute per token, and 10 concurrent requests. Above that it answers
429 Too Many Requests with a Retry-After header.

Tell integrators to honour Retry-After, back off exponentially, and batch reads with the list endpoints
(up to 200 items per page) instead of fetching items one by one. Enterprise plans can ask for a higher
limit through their account manager.
""",
        "api rate-limit 429 integration",
        DANIEL,
    ),
    _a(
        "Technical Support/API",
        "HTTP 500 on /v2/orders: how to collect what engineering needs",
        """
Before escalating an API error to engineering, collect:

- the request ID from the X-Request-Id response header (one per failing call),
- the time in UTC, the endpoint and the method,
- whether it fails every time or now and then, and since when.

Escalate with the "api" tag and priority High when more than 1% of calls fail; engineering answers
within the same business day.
""",
        "api 500 escalation engineering",
        DANIEL,
        visibility=INTERNAL,
    ),
    _a(
        "Technical Support/API",
        "Webhooks are not delivered",
        """
Check the webhook's delivery log under Settings → Developers → Webhooks. We retry a failed delivery 8
times over 24 hours; after that the webhook is paused and the owner gets an email.

Common causes: the endpoint answers slower than 10 seconds, its certificate expired (CERT_EXPIRED in the
log), or a firewall blocks our IP ranges. Once fixed, the customer presses Resume and redelivers the
failed events from the log.
""",
        "webhooks delivery api certificate",
        DANIEL,
    ),
    _a(
        "Technical Support/Outages",
        "During an outage: what to tell customers",
        """
When the status page shows an incident, link it in every reply instead of guessing causes or times.
Use the canned response "Known incident", tag tickets "outage", and set them to Pending: they are
answered together when the incident is resolved. Do not promise credits; Billing decides on them after
the incident report.
""",
        "outage incident status-page",
        DANIEL,
        visibility=INTERNAL,
    ),
    # --- Network ------------------------------------------------------------------------------------------
    _a(
        "Network/VPN",
        "VPN disconnects every hour",
        """
A disconnect at exactly the same interval is almost always a re-key or idle timeout, not a network fault.

1. Check the VPN client version; versions before 4.2 drop the tunnel at re-key. Update first.
2. On the firewall, the IKE SA lifetime should be longer than the client's (8 hours is common).
3. Turn off the client's "disconnect when idle" option if the customer uses long-running sessions.

If it still drops, collect the client log from the time of a disconnect and escalate to Network.
""",
        "vpn disconnect network timeout",
        DANIEL,
    ),
    _a(
        "Network/VPN",
        "Split tunnelling: why the app is slow over the VPN",
        """
With a full tunnel, all traffic goes through the company VPN first, which adds latency to every request.
Our service is on the public internet, so it can be excluded from the tunnel: add our domains to the VPN
profile's split-tunnel list. The customer's IT decides this; send them the list of domains from the
network requirements page.
""",
        "vpn split-tunnel latency network",
        DANIEL,
    ),
    _a(
        "Network/Connectivity",
        "Firewall and proxy requirements",
        """
The apps need outbound HTTPS (TCP 443) to our domains and WebSocket upgrades on the same port. TLS
inspection proxies must either trust our certificate chain or exclude our domains; otherwise the apps
show CERT_EXPIRED or "unknown issuer" although the certificate is valid.

Real-time updates fall back to polling when WebSockets are blocked, which works but is slower.
""",
        "firewall proxy tls network requirements",
        DANIEL,
    ),
    _a(
        "Network/Connectivity",
        'The app says "offline" although the internet works',
        """
1. Open the status page: is there an incident?
2. Ask the customer to open our web app in a browser on the same network. If that fails too, a firewall
   or proxy blocks us (see "Firewall and proxy requirements").
3. If the browser works but the desktop app does not, the app's proxy settings differ from the system's:
   set the app to "Use system proxy".
""",
        "offline connectivity proxy network",
        DANIEL,
    ),
    # --- Shipping & Returns --------------------------------------------------------------------------------
    _a(
        "Shipping & Returns/Delivery",
        "Where is my order? Tracking and delivery times",
        """
Orders leave the warehouse within 2 business days. The tracking link is in the shipping confirmation
email and in the order page. Delivery takes 2 to 4 business days in the EU and 5 to 8 elsewhere.

If tracking has not moved for 5 business days, open a trace with the carrier from the order page and
tell the customer we will reship if the parcel is not found within 10 business days.
""",
        "shipping tracking delivery order",
        JULIA,
    ),
    _a(
        "Shipping & Returns/Delivery",
        "Parcel marked delivered but not received",
        """
Ask the customer to check with neighbours and the building's reception, and to look for a carrier
notice. After 2 business days, open a claim with the carrier from the order page; we reship at once for
orders under 300 EUR, and after the carrier's answer for larger orders.
""",
        "shipping delivered lost parcel claim",
        JULIA,
    ),
    _a(
        "Shipping & Returns/Returns",
        "Returning hardware within 30 days",
        """
Customers may return unused hardware within 30 days of delivery for a full refund, and used hardware in
working order for a refund minus 15%.

1. Create the return in the order page; the customer receives a prepaid label by email.
2. The refund is issued when the warehouse has checked the device, usually within 5 business days of
   arrival, to the original payment method.

Devices returned after 30 days are not refunded; offer a repair instead.
""",
        "returns refund hardware label",
        JULIA,
    ),
    _a(
        "Shipping & Returns/Returns",
        "Exchanging a faulty device",
        """
A device that fails within the 2-year warranty is exchanged, not repaired. Ask for the serial number and
a short description of the fault, create an exchange in the order page, and the replacement ships as
soon as the return label is scanned by the carrier (advance replacement for Enterprise customers).
""",
        "returns exchange warranty faulty",
        JULIA,
    ),
    # --- drafts, an archived article ---------------------------------------------------------------------
    _a(
        "Billing/Refunds",
        "Refunds to a closed card",
        """
If the card was closed or replaced, the refund still goes to the card: banks forward it to the new card
or the account. Only if the bank returns the money do we refund by bank transfer.

TODO: check with finance how long the bank has to return it.
""",
        "refund card closed",
        "ben.okafor",
        visibility=INTERNAL,
        state=DRAFT,
    ),
    _a(
        "Shipping & Returns/Returns",
        "Customs fees on returns from outside the EU",
        """
Returns from outside the EU need the commercial invoice in the parcel, marked "returned goods", or
customs charges import duties again. We refund customs fees the customer paid on the original delivery
only if the whole order is returned.
""",
        "returns customs international",
        "grace.liu",
        state=DRAFT,
    ),
    _a(
        "Accounts & Access/Two-factor",
        "Two-factor by SMS for users without a smartphone",
        """
Workspaces can allow SMS codes as a second factor for selected users. Draft: waiting for the security
team's decision on which plans offer it.
""",
        "2fa sms",
        EMMA,
        visibility=INTERNAL,
        state=DRAFT,
    ),
    _a(
        "Billing/Payment methods",
        "Paying by PayPal (discontinued)",
        """
PayPal payments were discontinued on 1 March 2026. Customers who still pay by PayPal are moved to card or
bank transfer at their next renewal; the renewal email explains how.
""",
        "payment paypal discontinued",
        AMELIE,
        state=ARCHIVED,
    ),
]

# An edit after publication, so the demo shows a history with a diff: (title, editor, new last paragraph).
SECOND_VERSIONS = [
    (
        "How to refund a duplicate charge",
        ADMIN,
        'Only refund payments marked "succeeded". A payment that is still "pending" usually disappears by '
        "itself within 48 hours; ask the customer to wait and check again. Refunds above 500 EUR need the "
        'Billing team lead\'s approval (see "Partial refunds and goodwill credits").',
    ),
]


def demo_articles_present(uow: UnitOfWork) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(KnowledgeArticle)) or 0)


def ensure_demo_articles(open_uow: Callable[[str | None], UnitOfWork]) -> int:
    """Adds the demo's articles once (none when any article exists); returns how many were added.
    `open_uow(login)` opens a trusted unit of work acting for that login (None: for nobody)."""
    with open_uow(None) as uow:
        if demo_articles_present(uow):
            return 0
        logins = set(uow.session.scalars(select(Agent.db_login).where(Agent.is_active)))
    if not {AMELIE, DANIEL, JULIA, EMMA} <= logins:
        return 0
    with open_uow(ADMIN) as uow:
        editor_id = uow.session.scalar(select(Agent.id).where(Agent.db_login == EDITOR_AGENT))
        service.set_editor(uow, agent_id=int(editor_id or 0), is_editor=True)
        for article in ARTICLES:
            service.ensure_category_path(uow, article.category)
        uow.commit()
    added = 0
    for article in ARTICLES:
        author = article.author if article.author in logins else ADMIN
        with open_uow(author) as uow:
            category = service.find_category(uow, "/".join(article.category))
            created = service.create_article(
                uow,
                title=article.title,
                body=article.body,
                tags=article.tags,
                category_id=category.id,
                visibility=article.visibility,
            )
            if article.state is not ArticleState.DRAFT:
                created = service.publish(uow, article_id=created.id, expected_version=created.version)
            if article.state is ArticleState.ARCHIVED:
                service.archive(uow, article_id=created.id, expected_version=created.version)
            uow.commit()
            added += 1
    for title, editor, last_paragraph in SECOND_VERSIONS:
        with open_uow(editor) as uow:
            found = next(a for a in service.list_articles(uow) if a.title == title)
            current = service.get_article(uow, article_id=found.id)
            paragraphs = current.body.split("\n\n")
            service.edit_article(
                uow,
                article_id=found.id,
                expected_version=current.version,
                title=current.summary.title,
                body="\n\n".join([*paragraphs[:-1], last_paragraph]),
                tags=current.summary.tags,
                category_id=current.summary.category_id,
                visibility=current.summary.visibility,
            )
            uow.commit()
    return added
