import CrewStore
import Foundation
import Synchronization

/// Members pages already read, each kept with the workspace's members-list
/// version it was read at (`member_list_versions`, moved by the database's
/// triggers on every change the page shows). A page is served from here only
/// while the version is still the one it was read at, so every process may
/// keep its own: a change made anywhere moves the version everyone reads.
///
/// Why it is safe to store what was read after the version: the version is
/// read first (with the caller's session and membership, or on its own by
/// `MemberListVersion`), in an earlier statement than the page, so the page is
/// at least as new as the version it is stored under; a change that commits
/// between the two moves the version again and the next request reads the
/// page anew.
///
/// Bounded: at most `capacity` pages (about 30 KB each at 50 members, their
/// encoded JSON as much again); the oldest key gives way first. A capacity of
/// 0 keeps nothing.
public final class MemberPageCache: Sendable {
    /// What selects a page: the workspace, the filters as the statement gets
    /// them, where it starts and how long it is.
    struct Key: Hashable, Sendable {
        var workspaceID: UUID
        var role: String?
        var pattern: String?
        var cursor: String?
        var limit: Int
    }

    private struct Entry {
        var version: Int
        var page: Page<MemberView>
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Keys in the order they came in, as a ring: `slots[next]` is the
        /// oldest and leaves when a new key needs its place.
        var slots: [Key?]
        var next = 0
    }

    private let state: Mutex<State>
    public let capacity: Int

    public init(capacity: Int = 256) {
        precondition(capacity >= 0)
        self.capacity = capacity
        self.state = Mutex(State(slots: Array(repeating: nil, count: capacity)))
    }

    func page(for key: Key, at version: Int) -> Page<MemberView>? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.version == version else { return nil }
            return entry.page
        }
    }

    func store(_ page: Page<MemberView>, for key: Key, at version: Int) {
        guard capacity > 0 else { return }
        state.withLock { state in
            if let kept = state.entries[key] {
                // Another request may have stored a newer read meanwhile.
                if kept.version < version { state.entries[key] = Entry(version: version, page: page) }
                return
            }
            if let oldest = state.slots[state.next] { state.entries[oldest] = nil }
            state.slots[state.next] = key
            state.next = (state.next + 1) % capacity
            state.entries[key] = Entry(version: version, page: page)
        }
    }

    /// How many pages are kept (for tests and the metrics).
    public var count: Int { state.withLock { $0.entries.count } }
}

/// The members-list version of one workspace (0 before its first change).
struct MemberListVersion: PreparedStatement {
    static let sql = "SELECT version FROM member_list_versions WHERE workspace_id = $1"
    let workspaceID: UUID
    var values: [any PreparedValue] { [workspaceID] }

    static func of(_ workspaceID: UUID, on db: any Database) async throws -> Int {
        try await db.first(Self(workspaceID: workspaceID))?.decode(column: "version", as: Int.self) ?? 0
    }
}
