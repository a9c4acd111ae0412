"""Operating Switchboard rather than working in it: demo data and the doctor. Not the behaviour layer."""
