"""Finding one's way: the views of the sidebar with their counts and pages, saved views, the vocabulary
the drop-downs offer, and who else is looking at a ticket."""
