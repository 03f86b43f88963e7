import CrewCore
import CrewStore
import Foundation

/// An audit event as the API shows it.
public struct AuditEventView: Codable, Sendable, Equatable {
    public var id: String
    public var actorUserId: String?
    public var actorName: String
    public var action: String
    public var targetType: String
    public var targetId: String?
    public var targetLabel: String
    public var before: [String: String]?
    public var after: [String: String]?
    public var ip: String?
    public var batchId: String?
    public var createdAt: Date

    init(_ model: AuditEventModel) {
        func decode(_ text: String?) -> [String: String]? {
            text.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        }
        self.id = model.id!.apiString
        self.actorUserId = model.actorUserID?.apiString
        self.actorName = model.actorName
        self.action = model.action
        self.targetType = model.targetType
        self.targetId = model.targetID
        self.targetLabel = model.targetLabel
        self.before = decode(model.beforeJSON)
        self.after = decode(model.afterJSON)
        self.ip = model.ip
        self.batchId = model.batchID?.apiString
        self.createdAt = model.createdAt
    }
}

/// Filters of the audit log; all optional.
public struct AuditFilter: Sendable {
    public var actorUserID: String?
    public var action: String?
    public var targetID: String?
    public var from: String?
    public var to: String?

    public init(actorUserID: String? = nil, action: String? = nil, targetID: String? = nil, from: String? = nil, to: String? = nil) {
        self.actorUserID = actorUserID
        self.action = action
        self.targetID = targetID
        self.from = from
        self.to = to
    }
}

/// Reads the audit log, newest first, for owners and admins.
public struct AuditQuery: Sendable {
    public init() {}

    public func list(_ access: WorkspaceAccess, filter: AuditFilter, limit: PageSize, cursor: String?, on db: any Database) async throws -> Page<AuditEventView> {
        try access.require(.readAuditLog)
        var validator = FieldValidator()
        let actor = validator.check(filter.actorUserID) { (text: String) throws(DomainError) -> UUID in
            guard let id = UUID(uuidString: text) else { throw .invalid("actor", "is not a user id") }
            return id
        }
        let from = validator.check(filter.from) { (text: String) throws(DomainError) in try Self.time(text, field: "from") }
        let to = validator.check(filter.to) { (text: String) throws(DomainError) in try Self.time(text, field: "to") }
        try validator.finish()
        var query = AuditEventModel.query(on: db).filter(\.$workspaceID == access.workspaceID)
        if let actor { query = query.filter(\.$actorUserID == actor) }
        if let action = filter.action, !action.isEmpty { query = query.filter(\.$action == action) }
        if let target = filter.targetID, !target.isEmpty { query = query.filter(\.$targetID == target.lowercased()) }
        if let from { query = query.filter(\.$createdAt >= from) }
        if let to { query = query.filter(\.$createdAt < to) }
        if let cursor {
            let before = try KeysetCursor(decoding: cursor)
            query = query.group(.or) { group in
                group.filter(\.$createdAt < before.time)
                    .group(.and) { $0.filter(\.$createdAt == before.time).filter(\.$id < before.id) }
            }
        }
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit.value + 1).all()
        let (page, next) = KeysetCursor.page(rows, limit: limit.value) { KeysetCursor(time: $0.createdAt, id: $0.id!) }
        return Page(items: page.map(AuditEventView.init), nextCursor: next)
    }

    static func time(_ text: String, field: String) throws(DomainError) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw .invalid(field, "must be an RFC 3339 time such as 2026-11-29T12:00:00Z")
        }
        return date
    }
}
