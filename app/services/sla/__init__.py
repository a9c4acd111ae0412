"""Service levels: business calendars, clocks per status with a ledger that explains every due time,
warnings and an escalation ladder. The clock maths are pure functions (`calendar`, `clocks`)."""
