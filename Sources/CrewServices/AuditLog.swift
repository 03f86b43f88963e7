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
        try await db.run(InsertEvent(values: values(of: entry, by: actor)))
    }

    private struct InsertEvent: PreparedStatement {
        static let sql = "INSERT INTO \(AuditEventModel.schema) (\(AuditLog.columns)) VALUES (\(placeholders(1...13)))"
        let values: [any PreparedValue]
    }

    /// Appends many events with plain multi-row inserts (bulk removals write 1,000;
    /// through Fluent's model inserts that was a quarter of the removal's time).
    public func record(_ entries: [AuditEntry], by actor: Actor, on db: any Database) async throws {
        guard !entries.isEmpty else { return }
        let now = clock.now
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: entries.count, by: 500) {
            var insert = sql.insert(into: AuditEventModel.schema).columns(Self.columnNames)
            for entry in entries[start..<min(start + 500, entries.count)] {
                insert = insert.values(Self.row(entry, by: actor, at: now).map { $0.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null })
            }
            try await insert.run()
        }
    }

    /// The columns of an event's row, in the order of `row`.
    private static let columnNames = [
        "id", "workspace_id", "actor_user_id", "actor_name", "action", "target_type", "target_id", "target_label",
        "before_json", "after_json", "ip", "batch_id", "created_at",
    ]

    /// `columnNames` as a statement's column list.
    static let columns = columnNames.joined(separator: ", ")

    /// The values of `columns` (thirteen) for one event, for a prepared statement
    /// that writes the event together with what it records.
    func values(of entry: AuditEntry, by actor: Actor) -> [any PreparedValue] {
        Self.row(entry, by: actor, at: clock.now).map { $0 ?? PreparedNull() }
    }

    /// The values of `columns` for one event (nil for NULL).
    private static func row(_ entry: AuditEntry, by actor: Actor, at now: Date) -> [(any PreparedValue)?] {
        [
            UUID(), entry.workspaceID, actor.userID, actor.name, entry.action, entry.targetType, entry.targetID, entry.targetLabel,
            entry.before.map(json), entry.after.map(json), actor.ip, entry.batchID, now,
        ]
    }

    /// A JSON object of strings, keys in order. Written by hand: a bulk
    /// removal records 1,000 events, and a `JSONEncoder` for each was an
    /// eighth of its time (bench/NOTES.md).
    static func json(_ values: [String: String]) -> String { JSONText.object(values) }
}
