import CrewCore
import CrewStore
import Foundation

/// What a CSV import does or did, row by row, and to the seats.
public struct InvitationImportView: Codable, Sendable, Equatable {
    /// `new` (will be invited), `invited` (was), `member` (already one),
    /// `pending` (has an open invitation; resend it instead), `duplicate`
    /// (the same email on an earlier row) or `invalid` (see `errors`).
    public enum Status: String, Codable, Sendable { case new, invited, member, pending, duplicate, invalid }

    public struct Row: Codable, Sendable, Equatable {
        /// The row as a spreadsheet numbers it (the header is row 1).
        public var row: Int
        public var email: String
        public var role: String
        public var status: Status
        public var countsAsSeat: Bool
        public var errors: [FieldError]
        public var invitationId: String?
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var new = 0, invited = 0, member = 0, pending = 0, duplicate = 0, invalid = 0
    }

    public var rows: [Row]
    public var counts: Counts
    public var seats: SeatPreview
}

/// Invitations from a CSV (DESIGN §8 "CSV in and out"): a preview that
/// changes nothing, and the import, which checks the file again under the
/// workspace lock and then invites every `new` row at once — all or nothing:
/// an invalid row or too few seats refuses the whole file.
extension InvitationService {
    public func previewImport(_ access: WorkspaceAccess, csv: String, on db: any Database) async throws -> InvitationImportView {
        try access.require(.invite)
        let lines = try InvitationImportFile.read(csv, inviter: access.role, now: env.clock.now)
        return try await assess(lines, in: access.workspaceID, on: db)
    }

    public func importInvitations(_ access: WorkspaceAccess, csv: String, on db: any Database) async throws -> InvitationImportView {
        try access.require(.invite)
        let lines = try InvitationImportFile.read(csv, inviter: access.role, now: env.clock.now)
        guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: db) else { throw DomainError.notFound() }
        // Tokens and mails for every row that could be invited, made before the
        // workspace lock: its joins and invitations wait while it is held.
        let minted = Dictionary(uniqueKeysWithValues: lines.compactMap { line in
            line.invitee.map { (line.row, mintedInvitation(line, $0, access: access, workspaceName: workspace.name)) }
        })
        do {
            return try await db.workspaceTransaction(access.workspaceID) { tx in
                var view = try await assess(lines, in: access.workspaceID, on: tx)
                let refused = view.rows.filter { $0.status == .invalid }.flatMap(\.errors)
                guard refused.isEmpty else { throw DomainError.validationFailed(refused) }
                try await seats.requireRoom(for: view.rows.filter(\.countsAsSeat).count, in: access.workspaceID, on: tx)
                var sending: [(invitation: InvitationModel, mail: OutgoingMail)] = []
                for index in view.rows.indices where view.rows[index].status == .new {
                    guard let one = minted[view.rows[index].row] else { continue }
                    sending.append(one)
                    view.rows[index].status = .invited
                    view.rows[index].invitationId = one.invitation.id!.apiString
                }
                try await store(sending, on: tx)
                let invitations = sending.map(\.invitation)
                try await recordSent(invitations, access: access, on: tx)
                view.counts.invited = invitations.count
                view.counts.new = 0
                return view
            }
        } catch DomainError.seatLimitReached(let detail) {
            let seatTakers = lines.compactMap(\.invitee).filter(\.countsAsSeat)
            let roles = Set(seatTakers.map(\.role.rawValue)).sorted().joined(separator: ", ")
            try await recordSeatRefusal(seatTakers.map(\.email.value), role: roles, detail: detail, access: access, on: db)
            throw DomainError.seatLimitReached(detail)
        }
    }

    private func mintedInvitation(
        _ line: InvitationImportFile.Line, _ invitee: InvitationImportFile.Invitee, access: WorkspaceAccess, workspaceName: String
    ) -> (invitation: InvitationModel, mail: OutgoingMail) {
        let invitation = InvitationModel(
            workspaceID: access.workspaceID, email: invitee.email.value, role: invitee.role, permissions: invitee.permissions,
            allowedPlatforms: invitee.platforms, accountIDs: line.accountIDs, invitedBy: access, createdAt: env.clock.now)
        invitation.id = UUID()
        invitation.accessUntil = invitee.accessUntil
        return (invitation, mint(invitation, workspaceName: workspaceName, resent: false))
    }

    /// Each line's outcome against the workspace as it is: members, open
    /// invitations and accounts are read once for the whole file.
    private func assess(_ lines: [InvitationImportFile.Line], in workspaceID: UUID, on db: any Database) async throws -> InvitationImportView {
        let (members, pending) = try await existing(lines.compactMap(\.address), in: workspaceID, on: db)
        let accounts = try await AccessGrants.existingAccounts(Set(lines.flatMap(\.accountIDs)), in: workspaceID, on: db)
        var counts = InvitationImportView.Counts()
        var seen = Set<String>()
        var rows: [InvitationImportView.Row] = []
        var seatsTaken = 0
        for line in lines {
            var errors = line.errors
            for id in line.accountIDs where !accounts.contains(id) {
                errors.append(FieldError(field: "rows[\(line.row)].accountIds", message: "\(id.apiString) is no account of this workspace"))
            }
            let address = line.address?.value
            let status: InvitationImportView.Status =
                if let address, members.contains(address) { .member }
                else if let address, pending.contains(address) { .pending }
                else if let address, !seen.insert(address).inserted { .duplicate }
                else if !errors.isEmpty || line.invitee == nil { .invalid }
                else { .new }
            let takesSeat = status == .new && line.invitee?.countsAsSeat == true
            if takesSeat { seatsTaken += 1 }
            switch status {
            case .new: counts.new += 1
            case .invited: counts.invited += 1
            case .member: counts.member += 1
            case .pending: counts.pending += 1
            case .duplicate: counts.duplicate += 1
            case .invalid: counts.invalid += 1
            }
            rows.append(
                InvitationImportView.Row(
                    row: line.row, email: line.email, role: line.invitee?.role.rawValue ?? line.roleText, status: status, countsAsSeat: takesSeat,
                    errors: status == .invalid ? errors : [], invitationId: nil))
        }
        let seats = try await SeatPreviewService(env: env).previewAdding(seatsTaken, invitations: counts.new, in: workspaceID, on: db)
        return InvitationImportView(rows: rows, counts: counts, seats: seats)
    }

    /// Which of `emails` are members here, and which have an open invitation.
    private func existing(_ emails: [EmailAddress], in workspaceID: UUID, on db: any Database) async throws -> (Set<String>, Set<String>) {
        var members = Set<String>(), pending = Set<String>()
        let values = Array(Set(emails.map(\.value)))
        // Chunks keep each statement's binds well under SQLite's limit.
        for start in stride(from: 0, to: values.count, by: 1_000) {
            let chunk = Array(values[start..<min(start + 1_000, values.count)])
            members.formUnion(try await memberEmails(chunk, in: workspaceID, on: db))
            pending.formUnion(try await pendingEmails(chunk, in: workspaceID, on: db))
        }
        return (members, pending)
    }
}
