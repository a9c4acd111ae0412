"""The knowledge base: a category tree, draft / published / archived articles, their history, attached files.

Revision ID: 0018_knowledge_base
Revises: 0017_sla_supervisor
Create Date: 2026-12-06

- `knowledge_article` keeps its columns (id, title, body, tags, updated_at …) and gains a category,
  `visibility` (internal: for agents; public: may be shown to customers), `state` (draft, published,
  archived; `is_published` becomes a stored generated column, `state = 'published'`), `body_html`
  (sanitised HTML when the article has formatting; `body` stays its text), who saved it last, when it
  was published and the ticket it was written from.
- Reading: every active agent reads published articles (internal and public); the author reads their own
  drafts; editors read everything. Editors are supervisors, admins and the agents an admin lists in
  `knowledge_editor` (`kb_set_editor`). A disabled user or a login without an agent reads nothing.
- Writing: staff write none of these tables directly (the grants of 0003 are taken back). Definer
  functions keep the rules in one place: any agent writes drafts (`kb_create_article`) and edits their own
  draft; editors edit anything and alone publish, archive or take back to draft (`kb_edit_article`,
  `kb_set_article_state`, with the caller's expected version); files are attached by `kb_attach_file`
  (the database computes the sha256 and bounds the size); editors add categories (`kb_add_category`).
- History: `kb_article_version()`, a definer row trigger, writes every version into
  `knowledge_article_version` with the session's agent as author, whoever wrote the article and however;
  the history refuses UPDATE, DELETE and TRUNCATE for everyone.
- Announced: statement triggers append each written article to the change log through `log_change`
  (entity `knowledge_article`, entity_id the article's id), so followers such as the search index see it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.services.platform.database.sql_files import DatabaseNames, function_sql

revision: str = "0018_knowledge_base"
down_revision: str | None = "0017_sla_supervisor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "switchboard"
ACTIVE = f"(SELECT {S}.is_active_agent())"
EDITOR = f"(SELECT {S}.kb_is_editor())"
ME = f"(SELECT {S}.current_agent_id())"
STATES = "'draft', 'published', 'archived'"
VISIBILITIES = "'internal', 'public'"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# name → signature; the ones staff may call, and the trigger functions nobody calls.
CALLABLE = {
    "kb_is_editor": "kb_is_editor()",
    "kb_create_article": "kb_create_article(text, text, text, text[], bigint, text, bigint)",
    "kb_edit_article": "kb_edit_article(bigint, integer, text, text, text, text[], bigint, text)",
    "kb_set_article_state": "kb_set_article_state(bigint, integer, text)",
    "kb_attach_file": "kb_attach_file(bigint, text, text, bytea)",
    "kb_add_category": "kb_add_category(text, bigint)",
    "kb_set_editor": "kb_set_editor(bigint, boolean)",
}
TRIGGER_FUNCTIONS = {
    "kb_article_version": "kb_article_version()",
    "kb_refuse_history_change": "kb_refuse_history_change()",
}
TABLES = ["knowledge_category", "knowledge_article_version", "knowledge_editor", "knowledge_attachment"]


def _tables() -> None:
    op.create_table(
        "knowledge_category",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("parent_id IS DISTINCT FROM id", name=op.f("ck_knowledge_category_not_its_own_parent")),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_knowledge_category_name_not_blank")),
        sa.ForeignKeyConstraint(["parent_id"], [f"{S}.knowledge_category.id"],
                                name=op.f("fk_knowledge_category_parent_id_knowledge_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_category")),
        sa.UniqueConstraint("parent_id", "name", name=op.f("uq_knowledge_category_parent_id_name"),
                            postgresql_nulls_not_distinct=True),
        schema=S,
    )
    op.create_index(op.f("ix_knowledge_category_parent_id"), "knowledge_category", ["parent_id"], schema=S)

    for column in [
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("category_id", sa.BigInteger(), nullable=True),
        sa.Column("visibility", sa.String(length=16), server_default="internal", nullable=False),
        sa.Column("state", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        sa.Column("source_ticket_id", sa.BigInteger(), nullable=True),
    ]:
        op.add_column("knowledge_article", column, schema=S)
    # The flag becomes the state it stood for, then a column derived from the state, so they never disagree.
    op.execute(f"UPDATE {S}.knowledge_article SET state = 'published', published_at = updated_at WHERE is_published")
    op.drop_column("knowledge_article", "is_published", schema=S)
    op.add_column("knowledge_article", sa.Column("is_published", sa.Boolean(),
                                                 sa.Computed("state = 'published'", persisted=True), nullable=False),
                  schema=S)
    op.create_check_constraint(op.f("ck_knowledge_article_state"), "knowledge_article", f"state IN ({STATES})",
                               schema=S)
    op.create_check_constraint(op.f("ck_knowledge_article_visibility"), "knowledge_article",
                               f"visibility IN ({VISIBILITIES})", schema=S)
    for column, table, ondelete in [("category_id", "knowledge_category", "SET NULL"),
                                    ("updated_by_id", "agent", "SET NULL"), ("source_ticket_id", "ticket", "SET NULL")]:
        op.create_foreign_key(op.f(f"fk_knowledge_article_{column}_{table}"), "knowledge_article", table,
                              [column], ["id"], source_schema=S, referent_schema=S, ondelete=ondelete)
    op.create_index("ix_knowledge_article_state_category", "knowledge_article", ["state", "category_id"], schema=S)

    op.create_table(
        "knowledge_article_version",
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("category_id", sa.BigInteger(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_knowledge_article_version_state")),
        sa.CheckConstraint(f"visibility IN ({VISIBILITIES})", name=op.f("ck_knowledge_article_version_visibility")),
        sa.ForeignKeyConstraint(["article_id"], [f"{S}.knowledge_article.id"],
                                name=op.f("fk_knowledge_article_version_article_id_knowledge_article")),
        sa.ForeignKeyConstraint(["author_id"], [f"{S}.agent.id"],
                                name=op.f("fk_knowledge_article_version_author_id_agent")),
        sa.PrimaryKeyConstraint("article_id", "version", name=op.f("pk_knowledge_article_version")),
        schema=S,
    )
    op.create_index(op.f("ix_knowledge_article_version_author_id"), "knowledge_article_version", ["author_id"],
                    schema=S)
    op.create_table(
        "knowledge_editor",
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("granted_by_id", sa.BigInteger(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], [f"{S}.agent.id"], name=op.f("fk_knowledge_editor_agent_id_agent"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by_id"], [f"{S}.agent.id"],
                                name=op.f("fk_knowledge_editor_granted_by_id_agent"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_knowledge_editor")),
        schema=S,
    )
    op.create_table(
        "knowledge_attachment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("added_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(f"size BETWEEN 1 AND {MAX_ATTACHMENT_BYTES}",
                           name=op.f("ck_knowledge_attachment_size_bounded")),
        sa.ForeignKeyConstraint(["article_id"], [f"{S}.knowledge_article.id"],
                                name=op.f("fk_knowledge_attachment_article_id_knowledge_article")),
        sa.ForeignKeyConstraint(["blob_sha256"], [f"{S}.blob.sha256"],
                                name=op.f("fk_knowledge_attachment_blob_sha256_blob")),
        sa.ForeignKeyConstraint(["added_by_id"], [f"{S}.agent.id"],
                                name=op.f("fk_knowledge_attachment_added_by_id_agent"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_attachment")),
        sa.UniqueConstraint("article_id", "filename", name=op.f("uq_knowledge_attachment_article_id_filename")),
        schema=S,
    )
    op.create_index(op.f("ix_knowledge_attachment_article_id"), "knowledge_attachment", ["article_id"], schema=S)
    op.create_index(op.f("ix_knowledge_attachment_blob_sha256"), "knowledge_attachment", ["blob_sha256"], schema=S)


def upgrade() -> None:
    _tables()
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    statements = []
    for name in [*TRIGGER_FUNCTIONS, *CALLABLE]:
        statements.append(function_sql(name, 1, names))
    for signature in [*TRIGGER_FUNCTIONS.values(), *CALLABLE.values()]:
        statements.append(f"REVOKE EXECUTE ON FUNCTION {S}.{signature} FROM PUBLIC")
    statements += [f"GRANT EXECUTE ON FUNCTION {S}.{signature} TO {staff}" for signature in CALLABLE.values()]
    for table in TABLES:
        statements += [f"ALTER TABLE {S}.{table} ENABLE ROW LEVEL SECURITY",
                       f"ALTER TABLE {S}.{table} FORCE ROW LEVEL SECURITY"]
    readable_article = f"EXISTS (SELECT FROM {S}.knowledge_article a WHERE a.id = article_id)"
    statements += [
        # Direct writes end: every article write goes through the functions above.
        f"DROP POLICY knowledge_article_create ON {S}.knowledge_article",
        f"DROP POLICY knowledge_article_edit ON {S}.knowledge_article",
        f"DROP POLICY knowledge_article_read ON {S}.knowledge_article",
        f"REVOKE INSERT, UPDATE ON {S}.knowledge_article FROM {staff}",
        f"CREATE POLICY knowledge_article_read ON {S}.knowledge_article FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND (state = 'published' OR author_id = {ME} OR {EDITOR}))",
        f"CREATE POLICY knowledge_category_read ON {S}.knowledge_category FOR SELECT TO {staff} USING ({ACTIVE})",
        f"CREATE POLICY knowledge_editor_read ON {S}.knowledge_editor FOR SELECT TO {staff} USING ({ACTIVE})",
        f"CREATE POLICY knowledge_article_version_read ON {S}.knowledge_article_version FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND {readable_article})",
        f"CREATE POLICY knowledge_attachment_read ON {S}.knowledge_attachment FOR SELECT TO {staff} "
        f"USING ({ACTIVE} AND {readable_article})",
        # A blob is readable beside a ticket's attachment (0003) or an article's file one may read.
        f"CREATE POLICY blob_read_knowledge ON {S}.blob FOR SELECT TO {staff} USING ({ACTIVE} AND "
        f"EXISTS (SELECT FROM {S}.knowledge_attachment k WHERE k.blob_sha256 = sha256))",
        f"GRANT SELECT ON {', '.join(f'{S}.{table}' for table in TABLES)} TO {staff}",
        # History: written by the trigger, never changed.
        f"CREATE TRIGGER knowledge_article_version_insert AFTER INSERT ON {S}.knowledge_article "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.kb_article_version()",
        f"CREATE TRIGGER knowledge_article_version_update AFTER UPDATE ON {S}.knowledge_article "
        f"FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION {S}.kb_article_version()",
        f"CREATE TRIGGER knowledge_history_is_append_only BEFORE UPDATE OR DELETE ON {S}.knowledge_article_version "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.kb_refuse_history_change()",
        f"CREATE TRIGGER knowledge_history_cannot_be_truncated BEFORE TRUNCATE ON {S}.knowledge_article_version "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.kb_refuse_history_change()",
        # Announced, as tickets are (0008's statement triggers over transition tables).
        f"CREATE TRIGGER knowledge_article_change_log_insert AFTER INSERT ON {S}.knowledge_article "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {S}.log_change('knowledge_article')",
        f"CREATE TRIGGER knowledge_article_change_log_update AFTER UPDATE ON {S}.knowledge_article "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.log_change('knowledge_article')",
        # Articles that exist already get their first version.
        f"INSERT INTO {S}.knowledge_article_version (article_id, version, title, body, body_html, tags, "
        f"category_id, visibility, state, author_id, created_at) SELECT id, version, title, body, body_html, tags, "
        f"category_id, visibility, state, author_id, updated_at FROM {S}.knowledge_article",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    names = DatabaseNames.of(op.get_bind())
    staff = ", ".join(f'"{role}"' for role in (names.agent_role, names.supervisor_role, names.admin_role))
    for trigger in ["knowledge_article_change_log_insert", "knowledge_article_change_log_update",
                    "knowledge_article_version_insert", "knowledge_article_version_update"]:
        op.execute(f"DROP TRIGGER {trigger} ON {S}.knowledge_article")
    op.execute(f"DROP POLICY blob_read_knowledge ON {S}.blob")
    op.execute(f"DROP POLICY knowledge_article_read ON {S}.knowledge_article")
    for table in ["knowledge_attachment", "knowledge_editor", "knowledge_article_version"]:
        op.drop_table(table, schema=S)
    for signature in CALLABLE.values():
        op.execute(f"DROP FUNCTION {S}.{signature}")
    for signature in TRIGGER_FUNCTIONS.values():
        op.execute(f"DROP FUNCTION {S}.{signature}")
    op.drop_index("ix_knowledge_article_state_category", table_name="knowledge_article", schema=S)
    for column, table in [("category_id", "knowledge_category"), ("updated_by_id", "agent"),
                          ("source_ticket_id", "ticket")]:
        op.drop_constraint(op.f(f"fk_knowledge_article_{column}_{table}"), "knowledge_article", schema=S,
                           type_="foreignkey")
    op.drop_constraint(op.f("ck_knowledge_article_visibility"), "knowledge_article", schema=S, type_="check")
    op.drop_constraint(op.f("ck_knowledge_article_state"), "knowledge_article", schema=S, type_="check")
    op.drop_column("knowledge_article", "is_published", schema=S)
    op.add_column("knowledge_article", sa.Column("is_published", sa.Boolean(), server_default="false",
                                                 nullable=False), schema=S)
    op.execute(f"UPDATE {S}.knowledge_article SET is_published = (state = 'published')")
    for column in ["source_ticket_id", "updated_by_id", "published_at", "state", "visibility", "category_id",
                   "body_html"]:
        op.drop_column("knowledge_article", column, schema=S)
    op.drop_table("knowledge_category", schema=S)
    active = f"((SELECT {S}.is_active_agent()))"
    for statement in [
        f"CREATE POLICY knowledge_article_read ON {S}.knowledge_article FOR SELECT TO {staff} USING {active}",
        f"CREATE POLICY knowledge_article_create ON {S}.knowledge_article FOR INSERT TO {staff} "
        f"WITH CHECK ({active} AND author_id = (SELECT {S}.current_agent_id()))",
        f"CREATE POLICY knowledge_article_edit ON {S}.knowledge_article FOR UPDATE TO {staff} "
        f"USING ({active}) WITH CHECK ({active})",
        f"GRANT INSERT, UPDATE ON {S}.knowledge_article TO {staff}",
    ]:
        op.execute(statement)
