import Foundation

/// The client invite link's on/off switch: a status and an optional time at
/// which it flips by itself. The effective state is computed from the clock, so
/// no background job is needed.
public enum LinkStatus: String, Codable, Sendable, CaseIterable {
    case enabled
    case disabled

    public var flipped: LinkStatus { self == .enabled ? .disabled : .enabled }
}

public struct LinkSchedule: Sendable, Equatable {
    public var status: LinkStatus
    /// When `status` flips to the other state; `nil` means "until I change it".
    public var statusUntil: Date?

    public init(status: LinkStatus, statusUntil: Date?) {
        self.status = status
        self.statusUntil = statusUntil
    }

    /// The status in force at `now`.
    public func effectiveStatus(at now: Date) -> LinkStatus {
        if let until = statusUntil, now >= until { return status.flipped }
        return status
    }
}

/// Rules of the client invite link (DESIGN §4).
public enum InviteLinkRules {
    /// Whether a join may happen now: enabled by the schedule and uses left.
    public static func isActive(_ schedule: LinkSchedule, uses: Int, maxUses: Int?, at now: Date) -> Bool {
        guard schedule.effectiveStatus(at: now) == .enabled else { return false }
        if let maxUses, uses >= maxUses { return false }
        return true
    }

    /// Validates a new `statusUntil`: it must lie in the future.
    public static func validateStatusUntil(_ until: Date?, now: Date) throws(DomainError) {
        if let until, until <= now {
            throw .invalid("statusUntil", "must be in the future")
        }
    }

    /// Validates `maxUses`: at least 1 and not below the uses so far.
    public static func validateMaxUses(_ maxUses: Int?, uses: Int) throws(DomainError) {
        guard let maxUses else { return }
        if maxUses < 1 { throw .invalid("maxUses", "must be at least 1, or null for no limit") }
        if maxUses < uses { throw .invalid("maxUses", "cannot be below the \(uses) uses so far") }
    }

    /// Seats each joiner takes with these permissions (0 or 1), shown before saving.
    public static func seatsPerJoiner(_ permissions: Set<ClientPermission>) -> Int {
        Seats.countsAsSeat(role: .client, permissions: permissions) ? 1 : 0
    }
}
