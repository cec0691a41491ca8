"""The playground's CSV upload: a marketer drops a spreadsheet of leads on the chat and gets the import's summary
as the answer, through the same import as `tandem import leads` (bot/imports), as the person being played."""

from __future__ import annotations

import logging

from bot.core.dispatch import error_reply
from bot.core.errors import TandemError
from bot.core.replies import Reply, say
from bot.core.runtime import Runtime
from bot.demo import DemoPerson, demo_workspace_id
from bot.imports.service import ImportFile, import_leads
from bot.imports.views import summary_reply

log = logging.getLogger("tandem.playground")
UPLOAD_LIMIT = 5 * 1024 * 1024  # a playground file; `tandem import leads` takes any size
TOO_BIG = (
    "That file is over 5 MB, more than the playground takes. Split it, or import it with "
    "`tandem import leads <file.csv>` on the server, which takes any size."
)


def too_big() -> Reply:
    return say("⚠️ " + TOO_BIG, ok=False)


def import_upload(runtime: Runtime, who: DemoPerson, file_name: str, data: bytes) -> Reply:
    """Blocking: run it on the database lane. Refusals (the role, an unreadable file) are answers, not errors."""
    workspace_id = demo_workspace_id(runtime.db)
    if workspace_id is None:
        return say("⚠️ There is no demo workspace yet. Run `tandem demo` to create one.", ok=False)
    try:
        report = import_leads(
            runtime.db, runtime.clock, ImportFile(file_name, data), workspace_id=workspace_id, by_id=who.member_id
        )
    except TandemError as error:
        return error_reply(error)
    log.info("playground import of %s by %s: %d leads", report.file_name, who.key, len(report.imported))
    return summary_reply(report)
