"""Search: one local Tantivy index per workstation and signed-in login, fed through that login's own
connection (so it holds only what row-level security lets the login read), kept fresh from the change log,
and a PostgreSQL fallback while it is first built or rebuilt.

This package is the only importer of `tantivy` (import-linter checks it). Modules:
- `query`: what a person typed → words, phrases, a prefix and field filters (pure, never raises);
- `feed`: the documents and ids the login may see, read under RLS (SQL, no tantivy);
- `engine`: the Tantivy index on disk (schema, marker document, queries, snippets);
- `store`: where the index lives, the writer lock, the atomic swap of a rebuilt index;
- `fallback`: the same queries answered by PostgreSQL, slower;
- `service`: `Search`, what the CLI and the desktop call;
- `settings`: what the site decides (wipe the index on sign-out), read without loading tantivy.
"""
