"""The knowledge base: articles in a category tree, their history and files, and drafts from solved tickets.

`dto` (plain values, what the desktop may import), `text` and `redaction` (pure), `service` (keyword-only
functions over a unit of work), `area` (the desk's `knowledge` area), `demo_articles` (the demo's articles).
"""
