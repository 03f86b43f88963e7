import CrewCore
import CrewStore
import FluentKit
import Foundation

/// What one caller sees of the people of their workspace (`PeopleRules`), for
/// every place a member's identity appears: the members list and a member,
/// post authors and approvers, comments, inbox senders and assignees, and who
/// connected an account. Made once per use case from the caller's access;
/// owner and admins see everyone without a lookup.
public struct PeopleInSight: Sendable {
    let viewer: Role
    let viewerMembershipID: UUID
    let viewerUserID: UUID
    let workspaceID: UUID
    /// The accounts granted to the viewer; nil for viewers who see everyone.
    let viewerAccounts: Set<UUID>?

    /// Shown for a member the caller may not see (their name would tell who
    /// the agency's other clients are).
    public static let hiddenName = "Another member"
    /// Shown for a person who is no longer a member, to callers who see only
    /// some people (what they were cannot be checked any more).
    public static let formerName = "Former member"

    public static func of(_ access: WorkspaceAccess, on db: any Database) async throws -> PeopleInSight {
        let accounts = try await access.assignedAccountIDs(on: db).map(Set.init)
        return PeopleInSight(
            viewer: access.role, viewerMembershipID: access.membershipID, viewerUserID: access.userID, workspaceID: access.workspaceID,
            viewerAccounts: accounts)
    }

    public var seesEveryone: Bool { viewerAccounts == nil }

    /// The sight of one member, whose granted accounts are `accounts`.
    func sight(ofMember membershipID: UUID, role: Role, accounts: some Sequence<UUID>) -> Sight {
        guard let mine = viewerAccounts else { return .full }
        return PeopleRules.sight(
            viewer: viewer, isSelf: membershipID == viewerMembershipID, target: role, sharesAccount: !mine.isDisjoint(with: accounts))
    }

    /// A member as this viewer may see them, or nil when hidden. Team members
    /// other than the viewer keep only the grants the viewer shares (accounts a
    /// member is not assigned to do not exist for them).
    func view(of member: MemberView) -> MemberView? {
        guard let mine = viewerAccounts else { return member }
        let ids = (member.accountIds ?? []).compactMap(UUID.init(uuidString:))
        guard let membershipID = UUID(uuidString: member.id) else { return nil }
        switch sight(ofMember: membershipID, role: member.role, accounts: ids) {
        case .hidden:
            return nil
        case .nameAndRole:
            return member.limitedToNameAndRole()
        case .full:
            guard membershipID != viewerMembershipID else { return member }
            var shown = member
            shown.accountIds = ids.filter(mine.contains).map(\.apiString).sorted()
            return shown
        }
    }

    // MARK: People named beside posts, comments and conversations

    /// People by user id, as this viewer may see them: hidden members and (for
    /// viewers who see only some people) former members are named without an id.
    func people(_ userIDs: some Collection<UUID>, on db: any Database) async throws -> [UUID: PersonRef] {
        let ids = Set(userIDs)
        guard !ids.isEmpty else { return [:] }
        let names = try await UserModel.names(ids, on: db)
        guard !seesEveryone else {
            return Dictionary(uniqueKeysWithValues: ids.map { ($0, PersonRef(userId: $0.apiString, name: names[$0] ?? Self.formerName)) })
        }
        let members = try await MembershipModel.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$userID ~~ Array(ids)).all()
        let sights = try await sights(of: members, on: db)
        var refs: [UUID: PersonRef] = [:]
        for id in ids { refs[id] = PersonRef(userId: nil, name: Self.formerName) }
        for member in members {
            let sight = sights[member.id!] ?? .hidden
            refs[member.userID] = sight == .hidden
                ? PersonRef(userId: nil, name: Self.hiddenName)
                : PersonRef(userId: member.userID.apiString, name: names[member.userID] ?? Self.formerName)
        }
        return refs
    }

    /// Inbox assignees by membership id, as this viewer may see them.
    func assignees(_ membershipIDs: some Collection<UUID>, on db: any Database) async throws -> [UUID: ConversationView.Assignee] {
        let ids = Array(Set(membershipIDs))
        guard !ids.isEmpty else { return [:] }
        let members = try await MembershipModel.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$id ~~ ids).all()
        let names = try await UserModel.names(members.map(\.userID), on: db)
        let sights = try await sights(of: members, on: db)
        var assignees: [UUID: ConversationView.Assignee] = [:]
        for id in ids { assignees[id] = ConversationView.Assignee(memberId: nil, name: Self.formerName) }
        for member in members {
            assignees[member.id!] = sights[member.id!] == .hidden
                ? ConversationView.Assignee(memberId: nil, name: Self.hiddenName)
                : ConversationView.Assignee(memberId: member.id!.apiString, name: names[member.userID] ?? Self.formerName)
        }
        return assignees
    }

    /// The sight of each membership; grants are read only for the roles whose
    /// sight depends on sharing an account.
    private func sights(of members: [MembershipModel], on db: any Database) async throws -> [UUID: Sight] {
        guard !seesEveryone else { return Dictionary(uniqueKeysWithValues: members.map { ($0.id!, Sight.full) }) }
        let sharing = Set(PeopleRules.reach(of: viewer).whenSharing)
        let grants = try await AccessGrants.grants(of: members.filter { sharing.contains($0.role) }.map { $0.id! }, on: db)
        return Dictionary(uniqueKeysWithValues: members.map { ($0.id!, sight(ofMember: $0.id!, role: $0.role, accounts: grants[$0.id!] ?? [])) })
    }
}
