import CrewCore
import Foundation

/// A CSV of people to invite, read and checked on its own (no database):
/// the header names the columns, each row is one person. Rows are numbered as
/// a spreadsheet shows them (the header is row 1), and every problem names its
/// row (`rows[37].email`), so the person can fix the file.
public enum InvitationImportFile {
    public static let maxRows = 10_000
    /// Columns an import reads; `email` and `role` are required.
    public static let columns = ["email", "role", "permissions", "allowedPlatforms", "accountIds", "accessUntil"]
    /// Columns of the members export that an import has no use for (a person's
    /// name is their own to choose when they accept).
    public static let ignoredColumns = ["name", "joinedVia", "joinedAt", "countsAsSeat"]

    /// One row as read: who it invites as what, or what is wrong with it.
    struct Line {
        var row: Int
        /// The cell as typed (lowercased when it is a valid address).
        var email: String
        /// The address, when the cell is one (also on rows wrong otherwise:
        /// such a row may still name a member or a repeat).
        var address: EmailAddress?
        var roleText: String
        var invitee: Invitee?
        var errors: [FieldError]
        /// Account ids as typed, checked against the workspace afterwards.
        var accountIDs: [UUID]
    }

    struct Invitee {
        var email: EmailAddress
        var role: Role
        var permissions: Set<ClientPermission>
        var platforms: Set<Platform>
        var accessUntil: Date?
        var countsAsSeat: Bool { Seats.countsAsSeat(role: role, permissions: permissions) }
    }

    /// Reads the file; a wrong header, an empty file or too many rows refuse it
    /// as a whole, while a wrong row is reported on that row.
    static func read(_ text: String, inviter: Role, now: Date) throws(DomainError) -> [Line] {
        let records = try CSV.parse(text, maxRows: maxRows, headerRows: 1)
        guard let header = records.first else { throw DomainError.invalid("csv", "is empty; the first row names the columns: email,role") }
        let positions = try columnPositions(header.cells)
        guard records.count > 1 else { throw DomainError.invalid("csv", "has no rows after the header") }
        return records.dropFirst().map { line(of: $0, positions: positions, inviter: inviter, now: now) }
    }

    /// Where each known column is; unknown, repeated or missing columns refuse the file.
    private static func columnPositions(_ cells: [String]) throws(DomainError) -> [String: Int] {
        var positions: [String: Int] = [:]
        let known = Dictionary(uniqueKeysWithValues: (columns + ignoredColumns).map { ($0.lowercased(), $0) })
        for (index, cell) in cells.enumerated() {
            let name = cell.trimmingWhitespace()
            guard let column = known[name.lowercased()] else {
                throw DomainError.invalid(
                    "header", "unknown column '\(name.prefix(40))'; the columns are \(columns.joined(separator: ", "))")
            }
            guard positions[column] == nil else { throw DomainError.invalid("header", "names the column \(column) twice") }
            positions[column] = index
        }
        for required in ["email", "role"] where positions[required] == nil {
            throw DomainError.invalid("header", "needs the columns email and role (the first row names the columns)")
        }
        return positions.filter { !ignoredColumns.contains($0.key) }
    }

    private static func line(of record: CSV.Record, positions: [String: Int], inviter: Role, now: Date) -> Line {
        func cell(_ column: String) -> String {
            guard let index = positions[column], index < record.cells.count else { return "" }
            return record.cells[index].trimmingWhitespace()
        }
        func list(_ column: String) -> [String] {
            cell(column).split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map(String.init)
        }
        let prefix = "rows[\(record.row)]."
        var validator = FieldValidator()
        let email = validator.check { () throws(DomainError) in try EmailAddress(cell("email"), field: prefix + "email") }
        let role = validator.check { () throws(DomainError) in try Self.role(cell("role"), inviter: inviter, field: prefix + "role") }
        var permissions: Set<ClientPermission>?
        var platforms: Set<Platform>?
        if let role {
            let (permissionNames, platformNames) = (list("permissions"), list("allowedPlatforms"))
            permissions = validator.check { () throws(DomainError) in
                try renamed(prefix) { () throws(DomainError) in try AccessGrants.validPermissions(permissionNames, for: role) }
            }
            platforms = validator.check { () throws(DomainError) in
                try renamed(prefix) { () throws(DomainError) in try AccessGrants.validPlatforms(platformNames, for: role) }
            }
        }
        let endText = cell("accessUntil")
        let accessUntil = endText.isEmpty ? nil : validator.check { () throws(DomainError) in try Self.end(endText, now: now, field: prefix + "accessUntil") }
        var accountIDs: [UUID] = []
        for text in list("accountIds") {
            if let id = UUID(uuidString: text) { accountIDs.append(id) } else {
                validator.check { () throws(DomainError) in throw DomainError.invalid(prefix + "accountIds", "'\(text.prefix(40))' is not an account id") }
            }
        }
        var invitee: Invitee?
        if let email, let role, let permissions, let platforms, validator.errors.isEmpty {
            invitee = Invitee(email: email, role: role, permissions: permissions, platforms: platforms, accessUntil: accessUntil)
        }
        return Line(
            row: record.row, email: email?.value ?? cell("email"), address: email, roleText: cell("role"), invitee: invitee, errors: validator.errors,
            accountIDs: Array(Set(accountIDs)))
    }

    private static func role(_ text: String, inviter: Role, field: String) throws(DomainError) -> Role {
        guard let role = Role(rawValue: text.lowercased()), role != .owner else {
            throw DomainError.invalid(field, "must be one of admin, manager, editor, client (was '\(text.prefix(40))')")
        }
        do { try MembershipRules.checkInvite(actor: inviter, role: role) } catch { throw DomainError.invalid(field, error.detail) }
        return role
    }

    /// A day (`2027-01-31`: through that day, UTC) or an exact RFC 3339 time.
    private static func end(_ text: String, now: Date, field: String) throws(DomainError) -> Date {
        let end = text.contains("T") ? try? Date(text, strategy: .iso8601) : try? AccessEndField.parse(text, field: field)
        guard let end else { throw DomainError.invalid(field, "must be a date such as 2027-01-31") }
        return try AccessExpiry.validEnd(end, now: now, field: field)
    }

    /// Runs a check whose errors name plain fields (`permissions[0]`) and
    /// names them on this row instead.
    private static func renamed<T>(_ prefix: String, _ body: () throws(DomainError) -> T) throws(DomainError) -> T {
        do { return try body() } catch {
            let fields = error.fieldErrors.map { FieldError(field: prefix + $0.field, message: $0.message) }
            throw DomainError.validationFailed(fields.isEmpty ? [FieldError(field: prefix + "row", message: error.detail)] : fields)
        }
    }
}
