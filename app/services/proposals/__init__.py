"""Solution proposals: suppliers submit them in the market dialogue, procurers assess them.

The modules, by job: `views` (what a viewer may see, through `permissions`), `submission` (the
supplier's acts) and `assessment` (the procurer's).
"""

from app.services.proposals.assessment import decide_claim, set_status
from app.services.proposals.submission import (
    BODY_MIN,
    MAX_ATTACHMENTS,
    add_attachment,
    ensure_can_attach,
    ensure_can_withdraw,
    publish_summary,
    submit_proposal,
    withdraw,
)
from app.services.proposals.views import (
    NO_SUCH_PROPOSAL,
    PAGE_SIZE,
    ProposalPage,
    ProposalView,
    attachment_file,
    attachment_public,
    company_proposals,
    count_proposals,
    find_claim,
    find_full_proposal,
    find_proposal,
    list_page,
    list_proposals,
    proposal_view,
)

__all__ = [
    "BODY_MIN",
    "MAX_ATTACHMENTS",
    "NO_SUCH_PROPOSAL",
    "PAGE_SIZE",
    "ProposalPage",
    "ProposalView",
    "add_attachment",
    "attachment_file",
    "attachment_public",
    "company_proposals",
    "count_proposals",
    "decide_claim",
    "ensure_can_attach",
    "ensure_can_withdraw",
    "find_claim",
    "find_full_proposal",
    "find_proposal",
    "list_page",
    "list_proposals",
    "proposal_view",
    "publish_summary",
    "set_status",
    "submit_proposal",
    "withdraw",
]
