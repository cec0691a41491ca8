"""SQLModel tables, one module per feature. Every row that belongs to a company carries ``workspace_id``;
queries filter by it."""

from __future__ import annotations

from storage.models.api_keys import ApiIdempotency, ApiKey
from storage.models.base import OPEN_STATUSES, OPEN_STATUSES_SQL, ROLES
from storage.models.campaigns import Campaign, CampaignComment
from storage.models.dashboard import DashboardSignin
from storage.models.imports import LeadImport
from storage.models.intel import Competitor, IntelNote
from storage.models.jobs import JobLease, ProcessedEvent
from storage.models.leads import CriteriaVersion, Feedback, Lead, LeadEvent
from storage.models.meetings import Meeting, MeetingReminder
from storage.models.outbox import Outbox
from storage.models.platforms import ConversationRef
from storage.models.survey import SurveyAnswer, SurveyAsk, SurveyRound
from storage.models.tools import Tool, ToolClick
from storage.models.workspaces import LinkCode, Member, MemberAccount, Workspace, WorkspaceAccount, WorkspaceSetting

__all__ = [
    "ApiIdempotency",
    "ApiKey",
    "Campaign",
    "Competitor",
    "CampaignComment",
    "ConversationRef",
    "CriteriaVersion",
    "DashboardSignin",
    "Feedback",
    "IntelNote",
    "JobLease",
    "Lead",
    "LeadEvent",
    "LeadImport",
    "LinkCode",
    "Meeting",
    "MeetingReminder",
    "Member",
    "MemberAccount",
    "OPEN_STATUSES",
    "OPEN_STATUSES_SQL",
    "Outbox",
    "ProcessedEvent",
    "ROLES",
    "SurveyAnswer",
    "SurveyAsk",
    "SurveyRound",
    "Tool",
    "ToolClick",
    "Workspace",
    "WorkspaceAccount",
    "WorkspaceSetting",
]
