"""Starting, connecting to and migrating the PostgreSQL database."""
