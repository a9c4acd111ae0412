"""Initial schema: tickets, conversation, customers, agents, queues, statuses, audit and change log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001_initial'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agent',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('db_login', sa.String(length=63), nullable=False),
    sa.Column('role', sa.Enum('agent', 'supervisor', 'admin', name='role', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('languages', postgresql.ARRAY(sa.String(length=16)), server_default='{}', nullable=False),
    sa.Column('capacity', sa.SmallInteger(), server_default='20', nullable=False),
    sa.Column('availability', sa.Enum('available', 'away', 'offline', name='availability', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_agent_capacity_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent')),
    sa.UniqueConstraint('db_login', name=op.f('uq_agent_db_login')),
    sa.UniqueConstraint('email', name=op.f('uq_agent_email')),
    schema='switchboard'
    )
    op.create_table('blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('size = octet_length(data)', name=op.f('ck_blob_size_matches_data')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blob')),
    schema='switchboard'
    )
    op.create_table('change_log',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_change_log_ticket_id'), 'change_log', ['ticket_id'], unique=False, schema='switchboard')
    op.create_table('organisation',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name')),
    schema='switchboard'
    )
    op.create_table('ticket_status',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('category', sa.Enum('open', 'paused', 'done', name='category', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('is_builtin', sa.Boolean(), server_default='false', nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_ticket_status')),
    schema='switchboard'
    )
    op.create_table('agent_skill',
    sa.Column('agent_id', sa.BigInteger(), nullable=False),
    sa.Column('skill', sa.String(length=64), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_agent_skill_level_range')),
    sa.ForeignKeyConstraint(['agent_id'], ['switchboard.agent.id'], name=op.f('fk_agent_skill_agent_id_agent'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'skill', name=op.f('pk_agent_skill')),
    schema='switchboard'
    )
    op.create_table('customer',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.BigInteger(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('external_account_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['switchboard.organisation.id'], name=op.f('fk_customer_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_customer_external_account_id'), 'customer', ['external_account_id'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_customer_organisation_id'), 'customer', ['organisation_id'], unique=False, schema='switchboard')
    op.create_table('queue',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('team_lead_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['team_lead_id'], ['switchboard.agent.id'], name=op.f('fk_queue_team_lead_id_agent'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue')),
    sa.UniqueConstraint('name', name=op.f('uq_queue_name')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_queue_team_lead_id'), 'queue', ['team_lead_id'], unique=False, schema='switchboard')
    op.create_table('status_transition',
    sa.Column('from_status', sa.String(length=32), nullable=False),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.Enum('change', 'reopen', name='kind', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.ForeignKeyConstraint(['from_status'], ['switchboard.ticket_status.key'], name=op.f('fk_status_transition_from_status_ticket_status'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_status'], ['switchboard.ticket_status.key'], name=op.f('fk_status_transition_to_status_ticket_status'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_status', 'to_status', name=op.f('pk_status_transition')),
    schema='switchboard'
    )
    op.create_table('customer_email',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('is_primary', sa.Boolean(), server_default='false', nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['switchboard.customer.id'], name=op.f('fk_customer_email_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_email')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_customer_email_customer_id'), 'customer_email', ['customer_id'], unique=False, schema='switchboard')
    op.create_index('uq_customer_email_address_lower', 'customer_email', [sa.text("lower(address)")], unique=True, schema='switchboard')
    op.create_table('queue_member',
    sa.Column('queue_id', sa.BigInteger(), nullable=False),
    sa.Column('agent_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['switchboard.agent.id'], name=op.f('fk_queue_member_agent_id_agent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['switchboard.queue.id'], name=op.f('fk_queue_member_queue_id_queue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('queue_id', 'agent_id', name=op.f('pk_queue_member')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_queue_member_agent_id'), 'queue_member', ['agent_id'], unique=False, schema='switchboard')
    op.execute(sa.schema.CreateSequence(sa.Sequence('ticket_number_seq', start=10001, schema='switchboard')))
    op.create_table('ticket',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('number', sa.BigInteger(), server_default=sa.text("nextval('switchboard.ticket_number_seq')"), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('type', sa.Enum('question', 'incident', 'problem', 'task', name='type', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('queue_id', sa.BigInteger(), nullable=False),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'web', 'chat', 'phone', 'manual', name='channel', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('merged_into_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_response_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sla_due_at', sa.DateTime(timezone=True), sa.Computed('LEAST(CASE WHEN first_response_at IS NULL THEN first_response_due_at END, next_response_due_at, resolution_due_at)', persisted=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('merged_into_id IS NULL OR merged_into_id <> id', name=op.f('ck_ticket_not_merged_into_self')),
    sa.CheckConstraint('priority BETWEEN 0 AND 3', name=op.f('ck_ticket_priority_range')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_ticket_version_positive')),
    sa.ForeignKeyConstraint(['assignee_id'], ['switchboard.agent.id'], name=op.f('fk_ticket_assignee_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['switchboard.customer.id'], name=op.f('fk_ticket_customer_id_customer')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['switchboard.ticket.id'], name=op.f('fk_ticket_merged_into_id_ticket')),
    sa.ForeignKeyConstraint(['queue_id'], ['switchboard.queue.id'], name=op.f('fk_ticket_queue_id_queue')),
    sa.ForeignKeyConstraint(['status'], ['switchboard.ticket_status.key'], name=op.f('fk_ticket_status_ticket_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('number', name=op.f('uq_ticket_number')),
    schema='switchboard'
    )
    op.create_index('ix_ticket_assignee_sla', 'ticket', ['assignee_id', 'sla_due_at', 'id'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_ticket_customer_id'), 'ticket', ['customer_id'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_ticket_first_response_due_at'), 'ticket', ['first_response_due_at'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_ticket_merged_into_id'), 'ticket', ['merged_into_id'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_ticket_next_response_due_at'), 'ticket', ['next_response_due_at'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_queue_sla', 'ticket', ['queue_id', 'sla_due_at', 'id'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_queue_updated', 'ticket', ['queue_id', 'updated_at', 'id'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_ticket_resolution_due_at'), 'ticket', ['resolution_due_at'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_status_id', 'ticket', ['status', 'id'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_sla', 'ticket', ['sla_due_at', 'id'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_updated', 'ticket', ['updated_at', 'id'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_queue_priority', 'ticket', ['queue_id', 'priority', 'id'], unique=False, schema='switchboard')
    op.create_index('ix_ticket_tags', 'ticket', ['tags'], unique=False, schema='switchboard', postgresql_using='gin')
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_agent_id', sa.BigInteger(), nullable=True),
    sa.Column('actor_login', sa.String(length=63), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('ticket_version', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('old_value', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('new_value', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['actor_agent_id'], ['switchboard.agent.id'], name=op.f('fk_audit_event_actor_agent_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['switchboard.ticket.id'], name=op.f('fk_audit_event_ticket_id_ticket'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_audit_event_actor_agent_id'), 'audit_event', ['actor_agent_id'], unique=False, schema='switchboard')
    op.create_index('ix_audit_event_ticket_version', 'audit_event', ['ticket_id', 'ticket_version'], unique=False, schema='switchboard')
    op.create_table('message',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('customer_message', 'public_reply', 'internal_note', 'system_event', name='kind', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('author_agent_id', sa.BigInteger(), nullable=True),
    sa.Column('author_customer_id', sa.BigInteger(), nullable=True),
    sa.Column('body_text', sa.Text(), server_default='', nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('message_id_header', sa.String(length=998), nullable=True),
    sa.Column('in_reply_to', sa.String(length=998), nullable=True),
    sa.Column('references', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(kind = 'customer_message' AND author_customer_id IS NOT NULL AND author_agent_id IS NULL) OR (kind IN ('public_reply', 'internal_note') AND author_agent_id IS NOT NULL AND author_customer_id IS NULL) OR (kind = 'system_event' AND author_customer_id IS NULL)", name=op.f('ck_message_author_matches_kind')),
    sa.ForeignKeyConstraint(['author_agent_id'], ['switchboard.agent.id'], name=op.f('fk_message_author_agent_id_agent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_customer_id'], ['switchboard.customer.id'], name=op.f('fk_message_author_customer_id_customer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['switchboard.ticket.id'], name=op.f('fk_message_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_message_author_agent_id'), 'message', ['author_agent_id'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_message_author_customer_id'), 'message', ['author_customer_id'], unique=False, schema='switchboard')
    op.create_index('ix_message_message_id_header', 'message', ['message_id_header'], unique=False, schema='switchboard')
    op.create_index('ix_message_ticket_created', 'message', ['ticket_id', 'created_at', 'id'], unique=False, schema='switchboard')
    op.create_table('ticket_link',
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('related_ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('related', name='kind', native_enum=False, create_constraint=True, schema='switchboard'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ticket_id < related_ticket_id', name=op.f('ck_ticket_link_ordered_pair')),
    sa.ForeignKeyConstraint(['related_ticket_id'], ['switchboard.ticket.id'], name=op.f('fk_ticket_link_related_ticket_id_ticket'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['switchboard.ticket.id'], name=op.f('fk_ticket_link_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'related_ticket_id', name=op.f('pk_ticket_link')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_ticket_link_related_ticket_id'), 'ticket_link', ['related_ticket_id'], unique=False, schema='switchboard')
    op.create_table('attachment',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_id', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha256'], ['switchboard.blob.sha256'], name=op.f('fk_attachment_blob_sha256_blob')),
    sa.ForeignKeyConstraint(['message_id'], ['switchboard.message.id'], name=op.f('fk_attachment_message_id_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    schema='switchboard'
    )
    op.create_index(op.f('ix_attachment_blob_sha256'), 'attachment', ['blob_sha256'], unique=False, schema='switchboard')
    op.create_index(op.f('ix_attachment_message_id'), 'attachment', ['message_id'], unique=False, schema='switchboard')
    _seed_statuses()


# The seven statuses support teams use, and the one table of moves between them. A closed ticket has no
# ordinary way out: only an explicit reopen or a new customer message (kind 'reopen') brings it back.
STATUSES = [
    ('new', 'New', 'open', 1),
    ('in_progress', 'In progress', 'open', 2),
    ('waiting', 'Waiting on customer', 'paused', 3),
    ('pending', 'Pending third party', 'paused', 4),
    ('answered', 'Answered', 'paused', 5),
    ('resolved', 'Resolved', 'done', 6),
    ('closed', 'Closed', 'done', 7),
]
WORKING = ['in_progress', 'waiting', 'pending', 'answered']


def _transitions() -> list[tuple[str, str, str]]:
    moves = [('new', target, 'change') for target in [*WORKING, 'resolved', 'closed']]
    for source in WORKING:
        moves += [(source, target, 'change') for target in [*WORKING, 'resolved', 'closed'] if target != source]
    moves += [('resolved', 'closed', 'change'), ('resolved', 'in_progress', 'change'), ('resolved', 'new', 'reopen')]
    moves += [('closed', 'in_progress', 'reopen'), ('closed', 'new', 'reopen')]
    return moves


def _seed_statuses() -> None:
    status = sa.table(
        'ticket_status', sa.column('key'), sa.column('label'), sa.column('category'), sa.column('position'),
        sa.column('is_builtin'), schema='switchboard',
    )
    op.bulk_insert(status, [
        {'key': key, 'label': label, 'category': category, 'position': position, 'is_builtin': True}
        for key, label, category, position in STATUSES
    ])
    transition = sa.table(
        'status_transition', sa.column('from_status'), sa.column('to_status'), sa.column('kind'), schema='switchboard',
    )
    op.bulk_insert(transition, [
        {'from_status': source, 'to_status': target, 'kind': kind} for source, target, kind in _transitions()
    ])


def downgrade() -> None:
    op.drop_index(op.f('ix_attachment_message_id'), table_name='attachment', schema='switchboard')
    op.drop_index(op.f('ix_attachment_blob_sha256'), table_name='attachment', schema='switchboard')
    op.drop_table('attachment', schema='switchboard')
    op.drop_index(op.f('ix_ticket_link_related_ticket_id'), table_name='ticket_link', schema='switchboard')
    op.drop_table('ticket_link', schema='switchboard')
    op.drop_index('ix_message_ticket_created', table_name='message', schema='switchboard')
    op.drop_index(op.f('ix_message_author_agent_id'), table_name='message', schema='switchboard')
    op.drop_index(op.f('ix_message_author_customer_id'), table_name='message', schema='switchboard')
    op.drop_index('ix_message_message_id_header', table_name='message', schema='switchboard')
    op.drop_table('message', schema='switchboard')
    op.drop_index(op.f('ix_audit_event_actor_agent_id'), table_name='audit_event', schema='switchboard')
    op.drop_index('ix_audit_event_ticket_version', table_name='audit_event', schema='switchboard')
    op.drop_table('audit_event', schema='switchboard')
    op.drop_index('ix_ticket_tags', table_name='ticket', schema='switchboard', postgresql_using='gin')
    op.drop_index('ix_ticket_status_id', table_name='ticket', schema='switchboard')
    op.drop_index('ix_ticket_sla', table_name='ticket', schema='switchboard')
    op.drop_index('ix_ticket_updated', table_name='ticket', schema='switchboard')
    op.drop_index('ix_ticket_queue_priority', table_name='ticket', schema='switchboard')
    op.drop_index(op.f('ix_ticket_resolution_due_at'), table_name='ticket', schema='switchboard')
    op.drop_index('ix_ticket_queue_updated', table_name='ticket', schema='switchboard')
    op.drop_index('ix_ticket_queue_sla', table_name='ticket', schema='switchboard')
    op.drop_index(op.f('ix_ticket_next_response_due_at'), table_name='ticket', schema='switchboard')
    op.drop_index(op.f('ix_ticket_merged_into_id'), table_name='ticket', schema='switchboard')
    op.drop_index(op.f('ix_ticket_first_response_due_at'), table_name='ticket', schema='switchboard')
    op.drop_index(op.f('ix_ticket_customer_id'), table_name='ticket', schema='switchboard')
    op.drop_index('ix_ticket_assignee_sla', table_name='ticket', schema='switchboard')
    op.drop_table('ticket', schema='switchboard')
    op.execute(sa.schema.DropSequence(sa.Sequence('ticket_number_seq', schema='switchboard')))
    op.drop_index(op.f('ix_queue_member_agent_id'), table_name='queue_member', schema='switchboard')
    op.drop_table('queue_member', schema='switchboard')
    op.drop_index('uq_customer_email_address_lower', table_name='customer_email', schema='switchboard')
    op.drop_index(op.f('ix_customer_email_customer_id'), table_name='customer_email', schema='switchboard')
    op.drop_table('customer_email', schema='switchboard')
    op.drop_table('status_transition', schema='switchboard')
    op.drop_index(op.f('ix_queue_team_lead_id'), table_name='queue', schema='switchboard')
    op.drop_table('queue', schema='switchboard')
    op.drop_index(op.f('ix_customer_organisation_id'), table_name='customer', schema='switchboard')
    op.drop_index(op.f('ix_customer_external_account_id'), table_name='customer', schema='switchboard')
    op.drop_table('customer', schema='switchboard')
    op.drop_table('agent_skill', schema='switchboard')
    op.drop_table('ticket_status', schema='switchboard')
    op.drop_table('organisation', schema='switchboard')
    op.drop_index(op.f('ix_change_log_ticket_id'), table_name='change_log', schema='switchboard')
    op.drop_table('change_log', schema='switchboard')
    op.drop_table('blob', schema='switchboard')
    op.drop_table('agent', schema='switchboard')
