#!/usr/bin/env python3
"""Writes Sources/CrewHTTP/Resources/openapi.json, the API's OpenAPI document.

The document is edited here (readable Python) and the generated JSON is committed;
a Swift test holds it to the router in both directions.
Run: python3 scripts/openapi.py
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Sources/CrewHTTP/Resources/openapi.json"


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def problem(description):
    return {"description": description, "content": {"application/problem+json": {"schema": ref("Problem")}}}


def json_body(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def request(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def csv_request():
    """A CSV file as the body itself, or as {"csv": "…"} for JSON-only clients."""
    return {"required": True, "content": {"text/csv": {"schema": STRING}, "application/json": {"schema": obj({"csv": STRING})}}}


def op(summary, responses, body=None, auth=True, params=None, tag=None, raw_body=None):
    operation = {"summary": summary, "responses": {**responses, "default": problem("Error")}}
    if body is not None:
        operation["requestBody"] = request(body)
    if raw_body is not None:
        operation["requestBody"] = raw_body
    if not auth:
        operation["security"] = []
    if params:
        operation["parameters"] = params
    if tag:
        operation["tags"] = [tag]
    return operation


def path_param(name, description):
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def query(name, description, integer=False):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "integer"} if integer else {"type": "string"}}


def obj(properties, required=None, nullable=()):
    schema = {"type": "object", "properties": properties, "required": list(required if required is not None else properties)}
    for name in nullable:
        schema["properties"][name] = {**schema["properties"][name], "nullable": True}
    return schema


STRING = {"type": "string"}
WID = {"name": "wid", "in": "path", "required": True, "description": "workspace id", "schema": {"type": "string"}}
MID = {"name": "mid", "in": "path", "required": True, "description": "member id", "schema": {"type": "string"}}
AID = {"name": "aid", "in": "path", "required": True, "description": "social account id", "schema": {"type": "string"}}
IID = {"name": "iid", "in": "path", "required": True, "description": "invitation id", "schema": {"type": "string"}}
DATETIME = {"type": "string", "format": "date-time"}
ROLE = {"type": "string", "enum": ["owner", "admin", "manager", "editor", "client"]}
PERMISSION = {"type": "string", "enum": ["publish_posts", "view_analytics", "manage_inbox", "approve_posts"]}
PLATFORM = {"type": "string", "enum": [
    "facebook", "instagram", "x", "linkedin", "pinterest", "tiktok", "youtube", "google_business", "threads", "bluesky",
    "mastodon", "sandbox"]}
STRINGS = {"type": "array", "items": {"type": "string"}, "maxItems": 1000}

schemas = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": STRING, "title": STRING, "status": {"type": "integer"}, "detail": STRING, "code": STRING,
            "errors": {"type": "array", "items": obj({"field": STRING, "message": STRING})},
            "refused": {"type": "array", "items": obj({"id": STRING, "code": STRING, "detail": STRING})},
        },
    },
    "User": obj({"id": STRING, "email": STRING, "name": STRING}),
    "AuthAnswer": obj({"token": STRING, "user": ref("User"), "csrfToken": STRING}),
    "Me": obj({
        "id": STRING, "email": STRING, "name": STRING,
        "workspaces": {"type": "array", "items": obj({"id": STRING, "name": STRING, "role": ROLE})},
    }),
    "Usage": obj({"limit": {"type": "integer", "nullable": True}, "used": {"type": "integer"}}),
    "Workspace": obj({
        "id": STRING, "name": STRING, "plan": STRING, "seats": ref("Usage"), "accounts": ref("Usage"), "createdAt": DATETIME,
    }),
    "APIToken": obj(
        {"id": STRING, "name": STRING, "createdAt": DATETIME, "lastUsedAt": DATETIME, "token": STRING,
         "scope": {"type": "string", "enum": ["read", "read_write"]}, "workspaceId": STRING, "expiresAt": DATETIME},
        required=["id", "name", "createdAt", "scope"], nullable=["lastUsedAt"],
    ),
    "APITokenList": obj({"items": {"type": "array", "items": ref("APIToken")}, "nextCursor": {"type": "string", "nullable": True}}),
    "Health": obj({"status": STRING, "database": STRING}),
    # A client sees the team members on their accounts by id, userId, name and role only.
    "Member": {**obj({
        "id": STRING, "userId": STRING, "email": STRING, "name": STRING, "role": ROLE,
        "permissions": {"type": "array", "items": PERMISSION}, "allowedPlatforms": {"type": "array", "items": PLATFORM},
        "accountIds": {"type": "array", "items": STRING}, "countsAsSeat": {"type": "boolean"},
        "joinedVia": {"type": "string", "enum": ["owner", "email", "link"]}, "joinedAt": DATETIME,
        "accessUntil": DATETIME,
    }, required=["id", "userId", "name", "role"]),
        "description": "A member as the caller may see them: a client sees other members' id, userId, name and role only, "
                       "and a manager or editor sees only the account grants they share."},
    "MemberList": obj({"items": {"type": "array", "items": ref("Member")}, "nextCursor": {"type": "string", "nullable": True}}),
    "Invitation": obj(
        {
            "id": STRING, "email": STRING, "role": ROLE,
            "permissions": {"type": "array", "items": PERMISSION}, "allowedPlatforms": {"type": "array", "items": PLATFORM},
            "accountIds": {"type": "array", "items": STRING},
            "status": {"type": "string", "enum": ["pending", "expired", "accepted", "revoked"]},
            "countsAsSeat": {"type": "boolean"}, "invitedBy": STRING, "createdAt": DATETIME, "sentAt": DATETIME, "expiresAt": DATETIME,
            "accessUntil": DATETIME,
            "delivery": obj(
                {"status": {"type": "string", "enum": ["queued", "sent", "failed"]}, "attempts": {"type": "integer"},
                 "lastError": STRING, "acceptUrl": STRING},
                required=["status", "attempts"]),
        },
        required=["id", "email", "role", "permissions", "allowedPlatforms", "accountIds", "status", "countsAsSeat", "invitedBy",
                  "createdAt", "sentAt", "expiresAt"]),
    "InvitationList": obj({"items": {"type": "array", "items": ref("Invitation")}, "nextCursor": {"type": "string", "nullable": True}}),
    "AuditEvent": obj(
        {
            "id": STRING, "actorUserId": STRING, "actorName": STRING, "action": STRING, "targetType": STRING,
            "targetId": STRING, "targetLabel": STRING,
            "before": {"type": "object", "additionalProperties": STRING}, "after": {"type": "object", "additionalProperties": STRING},
            "ip": STRING, "batchId": STRING, "createdAt": DATETIME,
        },
        required=["id", "actorName", "action", "targetType", "targetLabel", "createdAt"],
    ),
    "AuditEventList": obj({"items": {"type": "array", "items": ref("AuditEvent")}, "nextCursor": {"type": "string", "nullable": True}}),
    "ImportRow": obj({
        "row": {"type": "integer"}, "email": STRING, "role": STRING,
        "status": {"type": "string", "enum": ["new", "invited", "member", "pending", "duplicate", "invalid"]},
        "countsAsSeat": {"type": "boolean"}, "errors": {"type": "array", "items": obj({"field": STRING, "message": STRING})},
        "invitationId": STRING,
    }, required=["row", "email", "role", "status", "countsAsSeat", "errors"]),
    "InvitationImport": obj({
        "rows": {"type": "array", "items": ref("ImportRow")},
        "counts": obj({k: {"type": "integer"} for k in ["new", "invited", "member", "pending", "duplicate", "invalid"]}),
        "seats": ref("SeatPreview"),
    }),
    "SeatPreview": obj({"before": ref("Usage"), "after": ref("Usage"), "fits": {"type": "boolean"}, "detail": STRING}),
    "SeatPreviewRequest": obj({
        "invitation": obj({"emails": STRINGS, "role": ROLE, "permissions": {"type": "array", "items": PERMISSION}},
                          required=["emails", "role"]),
        "member": obj({"memberId": STRING, "role": ROLE, "permissions": {"type": "array", "items": PERMISSION}}, required=["memberId"]),
        "link": obj({"permissions": {"type": "array", "items": PERMISSION}}),
        "plan": STRING,
    }, required=[]),
    "BulkUpdateAnswer": obj({"updated": {"type": "array", "items": STRING}}),
    "BulkDeleteAnswer": obj({"removed": {"type": "array", "items": STRING}}),
    "InviteLink": obj({
        "url": STRING, "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "statusUntil": {**DATETIME, "nullable": True}, "active": {"type": "boolean"},
        "permissions": {"type": "array", "items": PERMISSION}, "allowedPlatforms": {"type": "array", "items": PLATFORM},
        "accountIds": {"type": "array", "items": STRING}, "maxUses": {"type": "integer", "nullable": True},
        "uses": {"type": "integer"}, "requireApproval": {"type": "boolean"}, "updatedAt": DATETIME,
        "accessDays": {"type": "integer", "nullable": True},
        "seatsPerJoiner": {"type": "integer"},
    }),
    "JoinPreview": obj({
        "workspace": obj({"name": STRING}), "permissions": {"type": "array", "items": PERMISSION},
        "allowedPlatforms": {"type": "array", "items": PLATFORM}, "requireApproval": {"type": "boolean"},
    }),
    "AwaitingApproval": obj({"status": {"type": "string", "enum": ["awaiting_approval"]}, "requestId": STRING}),
    "SocialAccount": obj(
        {
            "id": STRING, "platform": PLATFORM, "name": STRING,
            "status": {"type": "string", "enum": ["connected", "needs_reconnect", "disconnected"]},
            "statusDetail": {"type": "string", "nullable": True},
            "connectedBy": {**obj({"userId": STRING, "name": STRING}, required=["name"]), "nullable": True},
            "connectedAt": DATETIME, "externalId": {"type": "string", "nullable": True},
        },
        required=["id", "platform", "name", "status", "connectedBy", "connectedAt"]),
    "SocialAccountList": obj({"items": {"type": "array", "items": ref("SocialAccount")}, "nextCursor": {"type": "string", "nullable": True}}),
    "PlatformOption": obj({"platform": PLATFORM, "available": {"type": "boolean"}, "allowed": {"type": "boolean"}}),
    "PlatformOptionList": obj({"items": {"type": "array", "items": ref("PlatformOption")}, "nextCursor": {"type": "string", "nullable": True}}),
    "AuthorizationStart": obj({"authorizeUrl": STRING}),
    "JoinRequest": obj({
        "id": STRING, "userId": STRING, "email": STRING, "name": STRING,
        "permissions": {"type": "array", "items": PERMISSION}, "createdAt": DATETIME,
    }),
    "JoinRequestList": obj({"items": {"type": "array", "items": ref("JoinRequest")}, "nextCursor": {"type": "string", "nullable": True}}),
}

CREDENTIALS = obj({"email": {"type": "string", "maxLength": 254}, "password": {"type": "string", "maxLength": 200}})
SIGNUP = obj({
    "email": {"type": "string", "maxLength": 254},
    "password": {"type": "string", "maxLength": 200},
    "name": {"type": "string", "maxLength": 200},
})

paths = {
    "/api/v1/auth/signup": {"post": op(
        "Create an account and sign in", {"201": json_body(ref("AuthAnswer"), "Signed up")}, body=SIGNUP, auth=False, tag="people")},
    "/api/v1/auth/login": {"post": op(
        "Sign in; also sets the session cookie. Failed log-ins brake the email address (3 free, then 1 s, 2 s, then a lock of "
        "1 minute doubling to 1 hour, even for the right password) and the client address: 429 rate_limited with Retry-After",
        {"200": json_body(ref("AuthAnswer"))}, body=CREDENTIALS, auth=False, tag="people")},
    "/api/v1/auth/password-reset": {"post": op(
        "Mail a single-use password reset link (1 hour) if the address has an account; 202 either way",
        {"202": {"description": "Accepted"}}, body=obj({"email": STRING}), auth=False, tag="people")},
    "/api/v1/auth/password-reset/confirm": {"post": op(
        "Set a new password with a reset token; ends every session of the person. 410 reset_token_inactive when used, "
        "replaced or expired", {"204": {"description": "Password set"}}, body=obj({"token": STRING, "password": STRING}),
        auth=False, tag="people")},
    "/api/v1/auth/logout": {"post": op("End this session", {"204": {"description": "Signed out"}}, tag="people")},
    "/api/v1/me": {"get": op("The signed-in person and their workspaces", {"200": json_body(ref("Me"))}, tag="people")},
    "/api/v1/me/tokens": {
        "get": op("Personal access tokens", {"200": json_body(ref("APITokenList"))}, tag="people"),
        "post": op(
            "Create a personal access token (shown once; only with a signed-in session): scope read or read_write "
            "(default), optionally one workspace and an expiry. A read token gets 403 on writes; a workspace token 404 elsewhere",
            {"201": json_body(ref("APIToken"), "Created")},
            body=obj({"name": {"type": "string", "maxLength": 200}, "scope": {"type": "string", "enum": ["read", "read_write"]},
                      "workspaceId": STRING, "expiresAt": DATETIME}, required=["name"]), tag="people"),
    },
    "/api/v1/me/tokens/{tid}": {"delete": op(
        "Revoke a personal access token", {"204": {"description": "Revoked"}},
        params=[path_param("tid", "token id")], tag="people")},
    "/api/v1/workspaces": {"post": op(
        "Create a workspace; the caller becomes its owner", {"201": json_body(ref("Workspace"), "Created")},
        body=obj({"name": {"type": "string", "maxLength": 200}, "plan": STRING}), tag="workspaces")},
    "/api/v1/workspaces/{wid}": {
        "get": op(
            "A workspace with its seat and account usage", {"200": json_body(ref("Workspace"))},
            params=[WID], tag="workspaces"),
        "patch": op(
            "Rename (owner, admins) or change plan (owner; refused when usage exceeds it)",
            {"200": json_body(ref("Workspace"))}, params=[WID],
            body=obj({"name": {"type": "string", "maxLength": 200}, "plan": STRING}, required=[]), tag="workspaces"),
    },
    "/api/v1/workspaces/{wid}/seats/preview": {"post": op(
        "Seats before and after a proposed change (exactly one of invitation, member, link, plan) and whether it fits; "
        "changes nothing. Bad input gets the change's own error.",
        {"200": json_body(ref("SeatPreview"))}, params=[WID], body=ref("SeatPreviewRequest"), tag="workspaces")},
    "/api/v1/workspaces/{wid}/members": {"get": op(
        "Members the caller may see, in join order; filter by role, search name/email (clients: names)", {"200": json_body(ref("MemberList"))},
        params=[WID, query("role", "owner, admin, manager, editor or client"), query("q", "search in name and email"),
                query("limit", "1–200, default 50", integer=True), query("cursor", "nextCursor of the previous page")],
        tag="members")},
    "/api/v1/workspaces/{wid}/members.csv": {"get": op(
        "The members the caller may see as CSV (name, email, role, permissions, allowedPlatforms, accountIds, accessUntil, "
        "joinedVia, joinedAt, countsAsSeat); what the caller may not see of a member is empty",
        {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}, params=[WID], tag="members")},
    "/api/v1/workspaces/{wid}/members/{mid}": {
        "get": op("One member", {"200": json_body(ref("Member"))}, params=[WID, MID], tag="members"),
        "patch": op(
            "Edit role, permissions, allowed platforms, account grants or the end of access (accessUntil: a future time, "
            "or null for none; past it the member gets 403 access_ended and is removed within a minute)", {"200": json_body(ref("Member"))},
            params=[WID, MID], body=obj({"role": ROLE, "permissions": {"type": "array", "items": STRING},
                                         "allowedPlatforms": {"type": "array", "items": STRING}, "accountIds": STRINGS,
                                         "accessUntil": {**DATETIME, "nullable": True}}, required=[]),
            tag="members"),
        "delete": op("Remove a member (nothing else is deleted)", {"204": {"description": "Removed"}}, params=[WID, MID], tag="members"),
    },
    "/api/v1/workspaces/{wid}/members/bulk-delete": {"post": op(
        "Remove many members, all or nothing", {"200": json_body(ref("BulkDeleteAnswer"))},
        params=[WID], body=obj({"memberIds": STRINGS}), tag="members")},
    "/api/v1/workspaces/{wid}/members/bulk-update": {"post": op(
        "Change role, client permissions, allowed platforms, account grants (replaced) or the end of access of many members, all or nothing; "
        "409/403 with refused:[{id,code,detail}] and nothing changed; seats checked once for the batch",
        {"200": json_body(ref("BulkUpdateAnswer"))}, params=[WID],
        body=obj({"memberIds": STRINGS, "role": ROLE, "permissions": {"type": "array", "items": PERMISSION},
                  "allowedPlatforms": {"type": "array", "items": PLATFORM}, "accountIds": STRINGS,
                  "accessUntil": {**DATETIME, "nullable": True}}, required=["memberIds"]),
        tag="members")},
    "/api/v1/workspaces/{wid}/transfer-ownership": {"post": op(
        "Make an admin the owner (owner only)", {"200": json_body(ref("Member"))},
        params=[WID], body=obj({"memberId": STRING}), tag="members")},
    "/api/v1/workspaces/{wid}/leave": {"post": op(
        "Leave the workspace (not the owner)", {"204": {"description": "Left"}}, params=[WID], tag="members")},
    "/api/v1/workspaces/{wid}/invitations": {
        "get": op("Pending invitations with expiry", {"200": json_body(ref("InvitationList"))}, params=[WID], tag="invitations"),
        "post": op(
            "Invite one email (answer: invitation) or several (answer: list), all or nothing",
            {"201": json_body({"oneOf": [ref("Invitation"), ref("InvitationList")]}, "Invited")}, params=[WID],
            body=obj({"email": STRING, "emails": {"type": "array", "items": STRING, "maxItems": 100}, "role": ROLE,
                      "permissions": {"type": "array", "items": STRING}, "allowedPlatforms": {"type": "array", "items": STRING},
                      "accountIds": STRINGS, "accessUntil": DATETIME}, required=["role"]),
            tag="invitations"),
    },
    "/api/v1/workspaces/{wid}/invitations/{iid}": {"delete": op(
        "Revoke a pending invitation", {"204": {"description": "Revoked"}}, params=[WID, IID], tag="invitations")},
    "/api/v1/workspaces/{wid}/invitations/bulk-resend": {"post": op(
        "Resend many pending invitations (new tokens), all or nothing; 409 with refused:[{id,code,detail}] and nothing sent",
        {"200": json_body(obj({"resent": {"type": "array", "items": STRING}}))}, params=[WID],
        body=obj({"invitationIds": STRINGS}), tag="invitations")},
    "/api/v1/workspaces/{wid}/invitations/bulk-revoke": {"post": op(
        "Revoke many pending invitations, all or nothing; 409 with refused:[{id,code,detail}] and nothing revoked",
        {"200": json_body(obj({"revoked": {"type": "array", "items": STRING}}))}, params=[WID],
        body=obj({"invitationIds": STRINGS}), tag="invitations")},
    "/api/v1/workspaces/{wid}/invitations/import/preview": {"post": op(
        "What importing this CSV would do, row by row (new, member, pending, duplicate, invalid with errors naming rows[N].field; "
        "rows are numbered as a spreadsheet shows them), and to the seats; changes nothing. Header: email,role required; "
        "permissions, allowedPlatforms, accountIds, accessUntil optional; at most 10,000 rows",
        {"200": json_body(ref("InvitationImport"))}, params=[WID], raw_body=csv_request(), tag="invitations")},
    "/api/v1/workspaces/{wid}/invitations/import": {"post": op(
        "Invite every new row of this CSV at once, all or nothing: an invalid row is 422 naming every row, too few seats 409; "
        "members, pending invitations and repeated emails are skipped",
        {"201": json_body(ref("InvitationImport"), "Invited")}, params=[WID], raw_body=csv_request(), tag="invitations")},
    "/api/v1/workspaces/{wid}/invitations/{iid}/resend": {"post": op(
        "Send again with a new token and expiry", {"200": json_body(ref("Invitation"))}, params=[WID, IID], tag="invitations")},
    "/api/v1/invitations/accept": {"post": op(
        "Accept an invitation as the signed-in person (same email)", {"201": json_body(ref("Member"), "Joined")},
        body=obj({"token": STRING}), tag="invitations")},
    "/api/v1/workspaces/{wid}/audit-events": {"get": op(
        "The audit log, newest first (owner, admins)", {"200": json_body(ref("AuditEventList"))},
        params=[WID, query("actor", "user id"), query("action", "e.g. member.removed"), query("target", "target id"),
                query("from", "RFC 3339 time, inclusive"), query("to", "RFC 3339 time, exclusive"),
                query("limit", "1–200, default 50", integer=True), query("cursor", "nextCursor of the previous page")],
        tag="audit")},
    "/api/v1/workspaces/{wid}/client-invite-link": {
        "get": op("The client invite link (created on first use)", {"200": json_body(ref("InviteLink"))}, params=[WID], tag="invite link"),
        "patch": op(
            "Enable/disable (optionally until a time), permissions, platforms, accounts, max uses, approval, days of access for joiners (1–3650, null: no end)",
            {"200": json_body(ref("InviteLink"))}, params=[WID],
            body=obj({"status": {"type": "string", "enum": ["enabled", "disabled"]}, "statusUntil": {**DATETIME, "nullable": True},
                      "permissions": {"type": "array", "items": STRING}, "allowedPlatforms": {"type": "array", "items": STRING},
                      "accountIds": STRINGS, "maxUses": {"type": "integer", "nullable": True}, "requireApproval": {"type": "boolean"},
                      "accessDays": {"type": "integer", "nullable": True}},
                     required=[]),
            tag="invite link"),
    },
    "/api/v1/workspaces/{wid}/client-invite-link/refresh": {"post": op(
        "New token; the old URL stops working at once", {"200": json_body(ref("InviteLink"))}, params=[WID], tag="invite link")},
    "/api/v1/join/{token}": {
        "get": op("What joining through this link gives (no sign-in)", {"200": json_body(ref("JoinPreview"))},
                  auth=False, params=[path_param("token", "link token")], tag="invite link"),
        "post": op(
            "Join as a client (201); already a member (200); waiting for approval (202)",
            {"201": json_body(ref("Member"), "Joined"), "200": json_body(ref("Member"), "Already a member"),
             "202": json_body(ref("AwaitingApproval"), "Waiting for approval")},
            params=[path_param("token", "link token")], tag="invite link"),
    },
    "/api/v1/workspaces/{wid}/join-requests": {"get": op(
        "People waiting for approval to join through the link", {"200": json_body(ref("JoinRequestList"))}, params=[WID], tag="invite link")},
    "/api/v1/workspaces/{wid}/join-requests/{rid}/approve": {"post": op(
        "Admit a joiner", {"201": json_body(ref("Member"), "Joined")},
        params=[WID, path_param("rid", "join request id")], tag="invite link")},
    "/api/v1/workspaces/{wid}/join-requests/{rid}/decline": {"post": op(
        "Decline a joiner", {"204": {"description": "Declined"}}, params=[WID, path_param("rid", "join request id")], tag="invite link")},
    "/api/v1/workspaces/{wid}/accounts": {"get": op(
        "Social accounts the caller may see (owner/admin: all; others: their grants); disconnected ones with status=disconnected|all",
        {"200": json_body(ref("SocialAccountList"))},
        params=[WID, query("status", "connected, needs_reconnect, disconnected or all (default: all but disconnected)"),
                query("limit", "1–200, default 50", integer=True), query("cursor", "nextCursor of the previous page")],
        tag="social accounts")},
    "/api/v1/workspaces/{wid}/accounts/platforms": {"get": op(
        "Every platform: configured on this server, and allowed to the caller", {"200": json_body(ref("PlatformOptionList"))},
        params=[WID], tag="social accounts")},
    "/api/v1/workspaces/{wid}/accounts/connect": {"post": op(
        "Start an OAuth authorization; send the person's browser to authorizeUrl (403 platform_not_allowed for clients)",
        {"200": json_body(ref("AuthorizationStart"))}, params=[WID], body=obj({"platform": STRING}), tag="social accounts")},
    "/api/v1/workspaces/{wid}/accounts/{aid}": {
        "get": op("One social account", {"200": json_body(ref("SocialAccount"))}, params=[WID, AID], tag="social accounts"),
        "delete": op(
            "Disconnect: credentials wiped, account and history kept (403 clients_cannot_remove_accounts)",
            {"204": {"description": "Disconnected"}}, params=[WID, AID], tag="social accounts"),
    },
    "/api/v1/workspaces/{wid}/accounts/{aid}/reconnect": {"post": op(
        "Start an OAuth authorization that reconnects this account (same id)", {"200": json_body(ref("AuthorizationStart"))},
        params=[WID, AID], tag="social accounts")},
    "/api/v1/openapi.json": {"get": op(
        "This document", {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}},
        auth=False, tag="operations")},
}

# Posts, inbox, analytics (issue 7).
PID = path_param("pid", "post id")
CID = path_param("cid", "conversation id")
LIST_QUERY = [query("limit", "page size, 1 to 200 (default 50)", integer=True), query("cursor", "nextCursor of the previous page")]
POST_STATUS = {"type": "string", "enum": ["draft", "pending_approval", "awaiting_client", "needs_changes", "scheduled", "published", "failed", "expired"]}
# userId is absent for a person the caller may not see (another client, to a client).
PERSON = obj({"userId": STRING, "name": STRING}, required=["name"])
ACCOUNT_REF = obj({"id": STRING, "name": STRING, "platform": STRING})
NULLABLE_PERSON = {**PERSON, "nullable": True}
NULLABLE_TIME = {**DATETIME, "nullable": True}
NULLABLE_STRING = {"type": "string", "nullable": True}
TOTALS = obj({
    "followers": {"type": "integer"}, "followersGained": {"type": "integer"}, "impressions": {"type": "integer"},
    "engagements": {"type": "integer"}, "clicks": {"type": "integer"}, "postsPublished": {"type": "integer"}, "engagementRate": {"type": "number"}})
CHANGE = {"type": "number", "nullable": True}
schemas.update({
    "Post": obj({
        "id": STRING, "batchId": STRING, "account": ACCOUNT_REF, "author": PERSON, "text": STRING, "link": NULLABLE_STRING,
        "mediaUrls": STRINGS, "status": POST_STATUS, "scheduledAt": NULLABLE_TIME, "timeZone": STRING,
        "approvedBy": NULLABLE_PERSON, "approvedAt": NULLABLE_TIME, "clientApprovedBy": NULLABLE_PERSON, "clientApprovedAt": NULLABLE_TIME,
        "publishedAt": NULLABLE_TIME, "externalUrl": NULLABLE_STRING, "failureDetail": NULLABLE_STRING, "attempts": {"type": "integer"},
        "createdAt": DATETIME, "updatedAt": DATETIME,
        "actions": {"type": "array", "items": {"type": "string", "enum": ["edit", "submit", "approve", "reject", "comment", "request_client_approval"]}},
    }, required=["id", "batchId", "account", "author", "text", "mediaUrls", "status", "timeZone", "attempts", "createdAt", "updatedAt", "actions"]),
    "PostList": obj({"items": {"type": "array", "items": ref("Post")}, "nextCursor": NULLABLE_STRING}),
    "NewPost": obj({
        "accountIds": {**STRINGS, "minItems": 1, "maxItems": 50}, "text": {"type": "string", "minLength": 1, "maxLength": 5000},
        "link": STRING, "mediaUrls": {**STRINGS, "maxItems": 10}, "scheduledAt": DATETIME, "timeZone": STRING, "submit": {"type": "boolean"},
    }, required=["accountIds", "text"]),
    "PostPatch": obj({"text": STRING, "link": STRING, "mediaUrls": STRINGS, "scheduledAt": DATETIME, "timeZone": STRING}, required=[]),
    "Rejection": obj({"comment": {"type": "string", "minLength": 1, "maxLength": 2000}, "internal": {"type": "boolean"}}, required=["comment"]),
    "NewComment": obj({"text": {"type": "string", "minLength": 1, "maxLength": 2000}, "internal": {"type": "boolean"}}, required=["text"]),
    "Comment": obj({"id": STRING, "author": PERSON, "text": STRING, "internal": {"type": "boolean"}, "kind": STRING, "createdAt": DATETIME}),
    "CommentList": obj({"items": {"type": "array", "items": ref("Comment")}, "nextCursor": NULLABLE_STRING}),
    "PostSettings": obj({"clientPostsNeedApproval": {"type": "boolean"}, "unapprovedPosts": {"type": "string", "enum": ["hold", "publish"]}}),
    "PostSettingsPatch": obj({"clientPostsNeedApproval": {"type": "boolean"}, "unapprovedPosts": {"type": "string", "enum": ["hold", "publish"]}}, required=[]),
    "Conversation": obj({
        "id": STRING, "account": ACCOUNT_REF, "participant": STRING, "status": {"type": "string", "enum": ["open", "closed"]},
        "unread": {"type": "boolean"}, "assignedTo": {**obj({"memberId": STRING, "name": STRING}, required=["name"]), "nullable": True},
        "lastMessageAt": DATETIME, "lastMessagePreview": STRING, "canReply": {"type": "boolean"},
    }, required=["id", "account", "participant", "status", "unread", "lastMessageAt", "lastMessagePreview", "canReply"]),
    "ConversationList": obj({"items": {"type": "array", "items": ref("Conversation")}, "nextCursor": NULLABLE_STRING}),
    "Message": obj({"id": STRING, "author": STRING, "fromProfile": {"type": "boolean"}, "text": STRING, "sentAt": DATETIME, "sentBy": NULLABLE_PERSON},
                   required=["id", "author", "fromProfile", "text", "sentAt"]),
    "ConversationDetail": obj({"conversation": ref("Conversation"), "messages": {"type": "array", "items": ref("Message")}}),
    "Reply": obj({"text": {"type": "string", "minLength": 1, "maxLength": 2000}}),
    "ConversationPatch": obj({"status": {"type": "string", "enum": ["open", "closed"]}, "assignedTo": STRING}, required=[]),
    "AnalyticsReport": obj({
        "accounts": {"type": "array", "items": ACCOUNT_REF}, "from": STRING, "to": STRING, "totals": TOTALS, "previous": TOTALS,
        "change": obj({"followers": CHANGE, "impressions": CHANGE, "engagements": CHANGE, "clicks": CHANGE, "postsPublished": CHANGE}, required=[]),
        "series": {"type": "array", "items": obj({
            "day": STRING, "followers": {"type": "integer"}, "impressions": {"type": "integer"}, "engagements": {"type": "integer"},
            "clicks": {"type": "integer"}, "postsPublished": {"type": "integer"}})},
    }),
})
REPORT_QUERY = [query("accountId", "account ids, comma-separated (default: every account the caller may read)"),
                query("from", "first day, YYYY-MM-DD (default: 27 days before `to`)"), query("to", "last day, YYYY-MM-DD (default: today); at most 366 days")]
W = "/api/v1/workspaces/{wid}"
paths.update({
    W + "/posts": {
        "get": op("Posts the caller may see, by scheduled time (422 for an unknown status)", {"200": json_body(ref("PostList"))},
                  params=[WID, query("status", "comma-separated statuses"), query("accountId", "one account"),
                          query("from", "RFC 3339 time or YYYY-MM-DD"), query("to", "RFC 3339 time or YYYY-MM-DD")] + LIST_QUERY, tag="posts"),
        "post": op("Create a post per account, as a draft or submitted (422 for a time in the past; 404 for an account without a grant)",
                   {"201": json_body(ref("PostList"), "Created")}, body=ref("NewPost"), params=[WID], tag="posts"),
    },
    W + "/posts/{pid}": {
        "get": op("One post", {"200": json_body(ref("Post"))}, params=[WID, PID], tag="posts"),
        "patch": op("Edit a post; approved content goes through review again", {"200": json_body(ref("Post"))}, body=ref("PostPatch"), params=[WID, PID], tag="posts"),
    },
    W + "/posts/{pid}/submit": {"post": op("Send a draft to review or the schedule", {"200": json_body(ref("Post"))}, params=[WID, PID], tag="posts")},
    W + "/posts/{pid}/approve": {"post": op(
        "Approve (403 self_approval for the author; 409 when not awaiting approval)", {"200": json_body(ref("Post"))}, params=[WID, PID], tag="posts")},
    W + "/posts/{pid}/reject": {"post": op("Send back with a comment (needs_changes)", {"200": json_body(ref("Post"))}, body=ref("Rejection"), params=[WID, PID], tag="posts")},
    W + "/posts/{pid}/request-client-approval": {"post": op(
        "Send to the account's approving clients (awaiting_client)", {"200": json_body(ref("Post"))}, params=[WID, PID], tag="posts")},
    W + "/posts/{pid}/comments": {
        "get": op("Comments, oldest first (clients never receive internal notes)", {"200": json_body(ref("CommentList"))}, params=[WID, PID], tag="posts"),
        "post": op("Comment; `internal` for team-only notes", {"201": json_body(ref("Comment"), "Created")}, body=ref("NewComment"), params=[WID, PID], tag="posts"),
    },
    W + "/post-settings": {
        "get": op("Approval settings", {"200": json_body(ref("PostSettings"))}, params=[WID], tag="posts"),
        "patch": op("Change approval settings (owner and admins)", {"200": json_body(ref("PostSettings"))}, body=ref("PostSettingsPatch"), params=[WID], tag="posts"),
    },
    W + "/inbox/conversations": {"get": op(
        "Conversations, newest activity first", {"200": json_body(ref("ConversationList"))},
        params=[WID, query("status", "open (default), closed or all"), query("unread", "true or false"),
                query("assigned", "me, none or a member id"), query("accountId", "one account")] + LIST_QUERY, tag="inbox")},
    W + "/inbox/conversations/{cid}": {
        "get": op("A conversation with its messages", {"200": json_body(ref("ConversationDetail"))}, params=[WID, CID], tag="inbox"),
        "patch": op("Close, reopen or assign", {"200": json_body(ref("Conversation"))}, body=ref("ConversationPatch"), params=[WID, CID], tag="inbox"),
    },
    W + "/inbox/conversations/{cid}/read": {"post": op("Mark read", {"204": {"description": "Marked read"}}, params=[WID, CID], tag="inbox")},
    W + "/inbox/conversations/{cid}/replies": {"post": op(
        "Reply through the platform (403 without manage_inbox)", {"201": json_body(ref("Message"), "Sent")}, body=ref("Reply"), params=[WID, CID], tag="inbox")},
    W + "/analytics": {"get": op(
        "Report: totals, previous period, change, daily series (422 for over 366 days or reversed)", {"200": json_body(ref("AnalyticsReport"))},
        params=[WID] + REPORT_QUERY, tag="analytics")},
    W + "/analytics.csv": {"get": op(
        "The report's days as CSV, one row per account and day",
        {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}, params=[WID] + REPORT_QUERY, tag="analytics")},
    W + "/accounts/{aid}/sync": {"post": op(
        "Pull the account's inbox and metrics from its platform now", {"200": json_body(ref("SocialAccount"))}, params=[WID, AID], tag="social accounts")},
})


document = {
    "openapi": "3.0.3",
    "info": {
        "title": "Crew API",
        "version": "1.0.0",
        "description": "Team and client management for social-media workspaces. Errors are application/problem+json with a stable `code`.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}, {"session": []}],
    "paths": paths,
    "components": {
        "schemas": schemas,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Session token from login, or a personal access token (crew_pat_…)"},
            "session": {"type": "apiKey", "in": "cookie", "name": "crew_session", "description": "Browser session; unsafe methods also need X-CSRF-Token"},
        },
    },
}

OUT.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}: {sum(len(v) for v in paths.values())} operations")
