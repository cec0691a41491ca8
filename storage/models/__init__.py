"""SQLModel tables, one module per feature. Every row that belongs to a company carries ``workspace_id``;
queries filter by it."""

from __future__ import annotations

from storage.models.base import OPEN_STATUSES, OPEN_STATUSES_SQL, ROLES
from storage.models.campaigns import Campaign
from storage.models.dashboard import DashboardSignin
from storage.models.jobs import JobLease, ProcessedEvent
from storage.models.leads import CriteriaVersion, Feedback, Lead, LeadEvent
from storage.models.outbox import Outbox
from storage.models.platforms import ConversationRef
from storage.models.tools import Tool, ToolClick
from storage.models.workspaces import LinkCode, Member, MemberAccount, Workspace, WorkspaceAccount, WorkspaceSetting

__all__ = [
    "Campaign",
    "ConversationRef",
    "CriteriaVersion",
    "DashboardSignin",
    "Feedback",
    "JobLease",
    "Lead",
    "LeadEvent",
    "LinkCode",
    "Member",
    "MemberAccount",
    "OPEN_STATUSES",
    "OPEN_STATUSES_SQL",
    "Outbox",
    "ProcessedEvent",
    "ROLES",
    "Tool",
    "ToolClick",
    "Workspace",
    "WorkspaceAccount",
    "WorkspaceSetting",
]
