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
            let rows = entries[start..<min(start + 500, entries.count)].map { Self.row($0, by: actor, at: now) }
            var insert = sql.insert(into: AuditEventModel.schema).columns(rows[0].map(\.column))
            for row in rows { insert = insert.values(row.map { $0.value.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null }) }
            try await insert.run()
        }
    }

    /// `INSERT … SELECT` of one event for each row of `source` (a common table
    /// expression of the caller's statement), so the event is written only if,
    /// and in the same statement as, what it records. Empty columns are left out.
    func insert(_ entry: AuditEntry, by actor: Actor, forEachRowOf source: String) -> SQLQueryString {
        let row = Self.row(entry, by: actor, at: clock.now).compactMap { column in column.value.map { (column.column, $0) } }
        let columns = row.map { "\(ident: $0.0)" as SQLQueryString }.joined(separator: ", ")
        let values = row.map { "\(bind: $0.1)" as SQLQueryString }.joined(separator: ", ")
        return "INSERT INTO \(ident: AuditEventModel.schema) (\(columns)) SELECT \(values) FROM \(ident: source)"
    }

    /// The columns of one event's row and their values (nil for NULL).
    private static func row(_ entry: AuditEntry, by actor: Actor, at now: Date) -> [(column: String, value: (any Encodable & Sendable)?)] {
        [
            ("id", UUID()), ("workspace_id", entry.workspaceID), ("actor_user_id", actor.userID), ("actor_name", actor.name),
            ("action", entry.action), ("target_type", entry.targetType), ("target_id", entry.targetID), ("target_label", entry.targetLabel),
            ("before_json", entry.before.map(json)), ("after_json", entry.after.map(json)), ("ip", actor.ip), ("batch_id", entry.batchID),
            ("created_at", now),
        ]
    }

    private static func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
