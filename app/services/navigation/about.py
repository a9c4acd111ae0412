"""Help ▸ About: the build's version, the schema revision it needs and the one the database has, and the
server, read through the signed-in login (staff may read the revision table)."""

from __future__ import annotations

from sqlalchemy import text

from app import __version__
from app.services.navigation.dto import AboutDesk
from app.services.platform.database import schema
from app.services.platform.uow import UnitOfWork

_SERVER = text(
    "SELECT current_setting('server_version'), host(inet_server_addr()), inet_server_port(), current_database(),"
    " session_user"
)


def about_desk(uow: UnitOfWork) -> AboutDesk:
    server_version, host, port, database, login = uow.session.execute(_SERVER).one()
    return AboutDesk(
        version=__version__,
        code_revision=schema.code_revision(),
        schema_revision=schema.database_revision(uow.session.connection()),
        server_version=str(server_version),
        host=host,
        port=port,
        database=str(database),
        login=str(login),
    )
