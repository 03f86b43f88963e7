/// The escalation rules for managing people (DESIGN §1): only owner and admins
/// manage; nobody grants more than they have; only the owner creates or removes
/// admins; nobody edits or removes someone of equal or higher rank (the owner
/// excepted); the client role is one-way; ownership moves only by transfer.
public enum MembershipRules {
    /// May `actor` invite someone with `role`?
    public static func checkInvite(actor: Role, role: Role) throws(DomainError) {
        try requireManager(actor)
        if role == .owner {
            throw .invalid("role", "a workspace has one owner; transfer ownership to an admin instead")
        }
        if role == .admin && actor != .owner {
            throw .roleEscalation("Only the owner can add admins.")
        }
        if role.rank > actor.rank {
            throw .roleEscalation()
        }
    }

    /// May `actor` edit the member whose role is `target` (permissions, grants)?
    public static func checkEdit(actor: Role, target: Role) throws(DomainError) {
        try requireManager(actor)
        if target == .owner {
            throw .lastOwner("The owner's role and access cannot be edited; transfer ownership instead.")
        }
        if actor != .owner && target.rank >= actor.rank {
            throw .roleEscalation("You cannot change someone of your own or a higher role.")
        }
    }

    /// May `actor` change a member's role from `from` to `to`?
    public static func checkRoleChange(actor: Role, from: Role, to: Role) throws(DomainError) {
        try checkEdit(actor: actor, target: from)
        if from == to { return }
        if from == .client || to == .client {
            throw .invalid("role", "clients stay clients and team members stay team members; remove and re-invite instead")
        }
        if to == .owner {
            throw .invalid("role", "ownership moves only by transfer to an admin")
        }
        if to == .admin && actor != .owner {
            throw .roleEscalation("Only the owner can make someone an admin.")
        }
        if to.rank > actor.rank {
            throw .roleEscalation()
        }
    }

    /// May `actor` remove the member whose role is `target`?
    public static func checkRemoval(actor: Role, target: Role) throws(DomainError) {
        try requireManager(actor)
        if target == .owner {
            throw .lastOwner("The owner cannot be removed; transfer ownership first.")
        }
        if target == .admin && actor != .owner {
            throw .roleEscalation("Only the owner can remove admins.")
        }
    }

    /// May a member with `role` leave the workspace on their own?
    public static func checkLeave(role: Role) throws(DomainError) {
        if role == .owner {
            throw .lastOwner("The owner cannot leave; transfer ownership to an admin first.")
        }
    }

    /// May `actor` transfer ownership to a member whose role is `target`?
    public static func checkTransfer(actor: Role, target: Role) throws(DomainError) {
        guard actor == .owner else { throw .forbidden("Only the owner can transfer ownership.") }
        guard target == .admin else {
            throw .invalid("memberId", "ownership can only be transferred to an admin")
        }
    }

    private static func requireManager(_ actor: Role) throws(DomainError) {
        guard actor == .owner || actor == .admin else {
            throw .forbidden("Only the owner and admins manage people.")
        }
    }
}
