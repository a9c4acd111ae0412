"""The desktop client (PySide6). Views call services through the background-task helper and never
import SQLAlchemy, the models, tantivy or requests (checked by import-linter)."""
