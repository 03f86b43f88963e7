import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation
import Synchronization

/// CSV in and out: the owner's export of the whole seeded workspace, and an
/// invitation import of `rows` (10,000 is the most a file may hold)
/// previewed and then sent, with its mails and audit rows.
/// `join` lets one more person in through the workspace's invite link: joins
/// run one after another while the import does, and the longest says how long
/// the import kept the workspace's lock (a join waits for it).
func measureCSV(
    _ components: CrewComponents, owner: WorkspaceAccess, rows: Int, runs: Int, join: @escaping @Sendable (Int) async throws -> Void
) async throws -> String {
    let db = components.services.database.database()
    let (members, invitations) = (components.services.members, components.services.invitations)
    var bytes = 0
    let export = try await measure(runs) {
        var written = 0
        try await members.exportCSV(owner, on: db) { written += $0.utf8.count }
        bytes = written
    }
    let tag = UUID().uuidString.prefix(6).lowercased()
    let file = "email,role,permissions\n"
        + (0..<rows).map { "import.\($0).\(tag)@bench.crew.test,client,view_analytics\n" }.joined()
    let preview = try await measure(max(1, runs / 2)) { _ = try await invitations.previewImport(owner, csv: file, on: db) }
    let done = Atomic<Bool>(false)
    let joins = Task {
        var samples: [Double] = []
        var n = 0
        while !done.load(ordering: .relaxed) {
            samples += try await measure(1) { try await join(n) }
            n += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        return samples.sorted()
    }
    var invited = 0
    let sent = try await measure(1) { invited = try await invitations.importInvitations(owner, csv: file, on: db).counts.invited }
    done.store(true, ordering: .relaxed)
    let during = try await joins.value
    precondition(invited == rows, "the import invited \(invited)")
    return """
        \(row("members CSV export as the owner (\(bytes / 1_000) kB)", export))
        \(row("CSV import preview, \(rows.formatted()) rows", preview))
        \(row("CSV import of \(rows.formatted()) invitations (mails and audit rows included)", sent))
        \(row("link joins into the same workspace during that import", during))
        """
}
