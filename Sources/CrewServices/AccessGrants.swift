import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Validation of what a member or invitation may be given: permissions that fit
/// the role, platforms for clients, and accounts of this workspace only.
public enum AccessGrants {
    /// Permissions a role can hold: clients any; editors analytics and inbox;
    /// managers and above need none (their role already includes everything).
    public static func validPermissions(_ names: [String], for role: Role) throws(DomainError) -> Set<ClientPermission> {
        let permissions = try ClientPermission.parseList(names, field: "permissions")
        let allowed: Set<ClientPermission> = switch role {
        case .client: Set(ClientPermission.allCases)
        case .editor: [.viewAnalytics, .manageInbox]
        default: []
        }
        let extra = permissions.subtracting(allowed)
        guard extra.isEmpty else {
            throw .invalid("permissions", "a \(role.rawValue) cannot hold \(extra.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        return permissions
    }

    /// Allowed platforms only mean something for clients (team roles connect by role).
    public static func validPlatforms(_ names: [String], for role: Role) throws(DomainError) -> Set<Platform> {
        let platforms = try Platform.parseList(names, field: "allowedPlatforms")
        guard platforms.isEmpty || role == .client else {
            throw .invalid("allowedPlatforms", "only clients have allowed platforms")
        }
        return platforms
    }

    /// Parses account ids and checks each belongs to the workspace; ids of other
    /// workspaces (or none) are refused, naming the position.
    public static func validAccounts(_ ids: [String], in workspaceID: UUID, on db: any Database) async throws -> [UUID] {
        var parsed: [UUID] = []
        var errors: [FieldError] = []
        for (index, text) in ids.enumerated() {
            if let id = UUID(uuidString: text) { parsed.append(id) } else {
                errors.append(FieldError(field: "accountIds[\(index)]", message: "is not an account id"))
            }
        }
        if !errors.isEmpty { throw DomainError.validationFailed(errors) }
        let unique = Array(Set(parsed))
        guard !unique.isEmpty else { return [] }
        let found = try await existingAccounts(Set(unique), in: workspaceID, on: db)
        for (index, id) in parsed.enumerated() where !found.contains(id) {
            errors.append(FieldError(field: "accountIds[\(index)]", message: "no such account in this workspace"))
        }
        if !errors.isEmpty { throw DomainError.validationFailed(errors) }
        return unique
    }

    /// Which of `ids` are accounts of the workspace.
    static func existingAccounts(_ ids: Set<UUID>, in workspaceID: UUID, on db: any Database) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(try await SocialAccountModel.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ Array(ids)).all(\.$id))
    }

    /// Replaces a membership's account grants.
    static func replaceGrants(of membership: MembershipModel, with accountIDs: [UUID], on db: any Database) async throws {
        let membershipID = try membership.requireID()
        try await AccountGrantModel.query(on: db).filter(\.$membershipID == membershipID).delete()
        try await addGrants(of: membership, to: accountIDs, on: db)
    }

    /// Grants a membership that has none yet these accounts, in one statement.
    static func addGrants(of membership: MembershipModel, to accountIDs: [UUID], on db: any Database) async throws {
        guard !accountIDs.isEmpty else { return }
        let membershipID = try membership.requireID()
        try await accountIDs.map { AccountGrantModel(membershipID: membershipID, accountID: $0, workspaceID: membership.workspaceID) }.create(on: db)
    }

    /// Account ids granted to each of the memberships.
    static func grants(of membershipIDs: [UUID], on db: any Database) async throws -> [UUID: [UUID]] {
        guard !membershipIDs.isEmpty else { return [:] }
        // Two columns into a plain row. (The members page reads its grants in its
        // own statement.)
        let sql = db as! any SQLDatabase
        let rows = try await sql.select().column("membership_id").column("account_id").from(AccountGrantModel.schema)
            .where("membership_id", .in, SQLBind.group(membershipIDs)).all(decoding: GrantRow.self)
        return Dictionary(grouping: rows, by: \.membership_id.uuid).mapValues { $0.map(\.account_id.uuid) }
    }

    private struct GrantRow: Decodable {
        var membership_id: RowID
        var account_id: RowID
    }
}
