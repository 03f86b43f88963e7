import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Who performed an action, copied into audit rows so they stay readable after
/// the person leaves.
public struct Actor: Sendable, Equatable {
    public var userID: UUID?
    public var name: String
    public var ip: String?

    public init(userID: UUID?, name: String, ip: String?) {
        self.userID = userID
        self.name = name
        self.ip = ip
    }

    /// Changes made by the operator through the `crew` command line.
    public static let commandLine = Actor(userID: nil, name: "crew (command line)", ip: nil)
}

/// One change to record.
public struct AuditEntry: Sendable {
    public var workspaceID: UUID?
    public var action: String
    public var targetType: String
    public var targetID: String?
    public var targetLabel: String
    public var before: [String: String]?
    public var after: [String: String]?
    public var batchID: UUID?

    public init(
        workspaceID: UUID?, action: String, targetType: String, targetID: String?, targetLabel: String,
        before: [String: String]? = nil, after: [String: String]? = nil, batchID: UUID? = nil
    ) {
        self.workspaceID = workspaceID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.targetLabel = targetLabel
        self.before = before
        self.after = after
        self.batchID = batchID
    }
}

/// Appends audit events. Always called with the transaction's database, so a
/// rolled-back change leaves no audit row.
public struct AuditLog: Sendable {
    let clock: CrewClock

    public init(clock: CrewClock) {
        self.clock = clock
    }

    public func record(_ entry: AuditEntry, by actor: Actor, on db: any Database) async throws {
        try await record([entry], by: actor, on: db)
    }

    /// Appends many events with plain multi-row inserts (bulk removals write 1,000;
    /// through Fluent's model inserts that was a quarter of the removal's time).
    public func record(_ entries: [AuditEntry], by actor: Actor, on db: any Database) async throws {
        guard !entries.isEmpty else { return }
        let now = clock.now
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: entries.count, by: 500) {
            var insert = sql.insert(into: AuditEventModel.schema).columns(
                "id", "workspace_id", "actor_user_id", "actor_name", "action", "target_type", "target_id", "target_label",
                "before_json", "after_json", "ip", "batch_id", "created_at")
            for entry in entries[start..<min(start + 500, entries.count)] {
                insert = insert.values([
                    SQLBind(UUID()), SQLBind.orNull(entry.workspaceID), SQLBind.orNull(actor.userID), SQLBind(actor.name),
                    SQLBind(entry.action), SQLBind(entry.targetType), SQLBind.orNull(entry.targetID), SQLBind(entry.targetLabel),
                    SQLBind.orNull(entry.before.map(Self.json)), SQLBind.orNull(entry.after.map(Self.json)), SQLBind.orNull(actor.ip),
                    SQLBind.orNull(entry.batchID), SQLBind(now),
                ])
            }
            try await insert.run()
        }
    }

    private static func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
