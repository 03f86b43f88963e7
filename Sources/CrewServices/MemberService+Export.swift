import CrewCore
import CrewStore
import Foundation

/// The members list as a CSV file (DESIGN §8 "CSV in and out"): exactly what
/// the caller sees on the members list (`PeopleInSight`), every page of it.
extension MemberService {
    /// The export's columns. An import of the file reads `email`, `role`,
    /// `permissions`, `allowedPlatforms`, `accountIds` and `accessUntil`.
    public static let exportColumns = [
        "name", "email", "role", "permissions", "allowedPlatforms", "accountIds", "accessUntil", "joinedVia", "joinedAt", "countsAsSeat",
    ]

    /// Rows per read: a statement per 1,000 members, so a 100,000-member
    /// workspace streams in 100 reads and memory holds one page.
    public static let exportPageSize = 1_000

    /// Calls `write` with the header, then with each page of rows, in join
    /// order. The page cache is bypassed: an export would fill it with pages
    /// nobody asks for again.
    public func exportCSV(
        _ access: WorkspaceAccess, pageSize: Int = exportPageSize, on db: any Database, write: (String) async throws -> Void
    ) async throws {
        try await write(CSV.line(Self.exportColumns))
        var after = KeysetCursor.beforeEveryone
        while true {
            let page = try await exportPage(access, after: after, limit: pageSize, on: db)
            try await write(page.items.map { CSV.line(Self.exportCells(of: $0)) }.joined())
            guard let next = page.nextCursor else { return }
            after = try KeysetCursor(decoding: next)
        }
    }

    private func exportPage(_ access: WorkspaceAccess, after: KeysetCursor, limit: Int, on db: any Database) async throws -> Page<MemberView> {
        guard PeopleRules.seesEveryone(access.role) else {
            return try await listSeen(access, role: nil, pattern: nil, after: after, limit: PageSize(exactly: limit), on: db)
        }
        let rows = try await db.all(MembersPage(workspaceID: access.workspaceID, after: after, limit: limit + 1), as: MemberRow.self)
        let (pageRows, next) = KeysetCursor.page(rows, limit: limit, key: \.cursor)
        return Page(items: pageRows.map { $0.view() }, nextCursor: next)
    }

    /// A member's cells; what the viewer may not see stays empty.
    static func exportCells(of member: MemberView) -> [String] {
        [
            member.name, member.email ?? "", member.role.rawValue, (member.permissions ?? []).map(\.rawValue).joined(separator: " "),
            (member.allowedPlatforms ?? []).map(\.rawValue).joined(separator: " "), (member.accountIds ?? []).joined(separator: " "),
            member.accessUntil?.rfc3339 ?? "", member.joinedVia ?? "", member.joinedAt?.rfc3339 ?? "",
            member.countsAsSeat.map { $0 ? "true" : "false" } ?? "",
        ]
    }
}
