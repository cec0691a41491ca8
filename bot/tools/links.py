"""Tool links (SPEC §3): ``<base>/t/<id>?m=<token>``. The token is signed with TANDEM_SECRET_KEY and names the
workspace, the person it was handed to and the tool, so their click counts for them without a login. It does not
expire: a link in last month's chat still counts for its person. It proves nothing beyond that (the tool's page
has its own access control); a link without a valid token still opens the tool, as an anonymous click."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "tandem.tool-link"


@dataclass(frozen=True, slots=True)
class Claims:
    workspace_id: int
    member_id: int
    tool_id: int


@dataclass(frozen=True)
class ToolLinks:
    """Makes and reads the links of one installation (its public URL and secret)."""

    base_url: str
    secret_key: str

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret_key, salt=SALT)

    def url(self, tool_id: int, *, workspace_id: int, member_id: int | None) -> str:
        """The link for ``member_id`` (anonymous when None, or when no secret is configured)."""
        base = f"{self.base_url.rstrip('/')}/t/{tool_id}"
        if member_id is None or not self.secret_key:
            return base
        token = self._serializer().dumps([workspace_id, member_id, tool_id])
        return f"{base}?m={token}"

    def claims(self, token: str | None, tool_id: int) -> Claims | None:
        """Who a token names, when it is genuine and was made for this very tool; otherwise None."""
        if not token or not self.secret_key or len(token) > 200:
            return None
        try:
            value = self._serializer().loads(token)
        except BadSignature:
            return None
        if not (isinstance(value, list) and len(value) == 3 and all(type(part) is int for part in value)):
            return None
        claims = Claims(*value)
        return claims if claims.tool_id == tool_id else None
