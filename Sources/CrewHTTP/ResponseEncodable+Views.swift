import CrewServices
import Hummingbird

// The service layer's answer types are encoded directly as JSON responses.
extension UserView: ResponseEncodable {}
extension APITokenView: ResponseEncodable {}
extension WorkspaceView: ResponseEncodable {}
extension MemberView: ResponseEncodable {}
extension InvitationView: ResponseEncodable {}
extension AuditEventView: ResponseEncodable {}
extension JoinRequestView: ResponseEncodable {}
extension SocialAccountView: ResponseEncodable {}
extension PlatformOption: ResponseEncodable {}

extension ListPage: ResponseEncodable, ResponseGenerator {
    /// Pages of items that write their own JSON skip `JSONEncoder`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        if let body = rendered?.get(as: ByteBuffer.self) { return JSONWriter.response(body) }
        if let writable = self as? any JSONWritable {
            let body = writable.jsonBody()
            rendered?.set(body)
            return JSONWriter.response(body)
        }
        return try context.responseEncoder.encode(self, from: request, context: context)
    }
}

extension ListPage: JSONWritable where Item: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.key("items")
        json.arrayStart()
        for item in items { json.value(item) }
        json.arrayEnd()
        json.key("nextCursor")
        json.string(nextCursor)
        json.objectEnd()
    }
}

extension MemberView: JSONWritable {
    /// Keys in sorted order, as `JSONEncoder` writes them; fields a client may
    /// not see of a team member are absent, not null.
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        if let accessUntil {
            json.key("accessUntil")
            json.date(accessUntil)
        }
        if let accountIds {
            json.key("accountIds")
            json.strings(accountIds)
        }
        if let allowedPlatforms {
            json.key("allowedPlatforms")
            json.strings(allowedPlatforms.map(\.rawValue))
        }
        if let countsAsSeat {
            json.key("countsAsSeat")
            json.bool(countsAsSeat)
        }
        if let email {
            json.key("email")
            json.string(email)
        }
        json.key("id")
        json.string(id)
        if let joinedAt {
            json.key("joinedAt")
            json.date(joinedAt)
        }
        if let joinedVia {
            json.key("joinedVia")
            json.string(joinedVia)
        }
        json.key("name")
        json.string(name)
        if let permissions {
            json.key("permissions")
            json.strings(permissions.map(\.rawValue))
        }
        json.key("role")
        json.string(role.rawValue)
        json.key("userId")
        json.string(userId)
        json.objectEnd()
    }
}

/// Every page of the web UI and most API clients start with it; `JSONEncoder`
/// was a twentieth of its CPU on PostgreSQL (bench/NOTES.md).
extension MeView: JSONWritable, ResponseGenerator {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.key("email")
        json.string(email)
        json.key("id")
        json.string(id)
        json.key("name")
        json.string(name)
        json.key("workspaces")
        json.arrayStart()
        for workspace in workspaces {
            json.objectStart()
            json.key("id")
            json.string(workspace.id)
            json.key("name")
            json.string(workspace.name)
            json.key("role")
            json.string(workspace.role.rawValue)
            json.objectEnd()
        }
        json.arrayEnd()
        json.objectEnd()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONWriter.response(jsonBody())
    }
}

/// The link panel reloads it on every visit and edit; `JSONEncoder` was a
/// twentieth of its CPU (bench/NOTES.md).
extension InviteLinkView: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.key("accessDays")
        json.int(accessDays)
        json.key("accountIds")
        json.strings(accountIds)
        json.key("active")
        json.bool(active)
        json.key("allowedPlatforms")
        json.strings(allowedPlatforms.map(\.rawValue))
        json.key("maxUses")
        json.int(maxUses)
        json.key("permissions")
        json.strings(permissions.map(\.rawValue))
        json.key("requireApproval")
        json.bool(requireApproval)
        json.key("seatsPerJoiner")
        json.int(seatsPerJoiner)
        json.key("status")
        json.string(status.rawValue)
        json.key("statusUntil")
        json.date(statusUntil)
        json.key("updatedAt")
        json.date(updatedAt)
        json.key("url")
        json.string(url)
        json.key("uses")
        json.int(uses)
        json.objectEnd()
    }
}
