/// A subscription plan: how many seats (team members, owner not counted) and
/// social accounts a workspace may have. `nil` means unlimited.
public struct Plan: Sendable, Equatable, Codable {
    public var id: String
    public var seatLimit: Int?
    public var accountLimit: Int?

    public init(id: String, seatLimit: Int?, accountLimit: Int?) {
        self.id = id
        self.seatLimit = seatLimit
        self.accountLimit = accountLimit
    }
}

/// The plans this installation offers, editable by the operator.
public struct PlanCatalog: Sendable, Equatable {
    public private(set) var plans: [String: Plan]

    /// The defaults of DESIGN §2.
    public static let defaults = PlanCatalog(plans: [
        Plan(id: "free", seatLimit: 0, accountLimit: 3),
        Plan(id: "professional", seatLimit: 0, accountLimit: 10),
        Plan(id: "small_team", seatLimit: 2, accountLimit: 20),
        Plan(id: "agency", seatLimit: 5, accountLimit: 30),
        Plan(id: "agency_plus", seatLimit: nil, accountLimit: 50),
        Plan(id: "custom", seatLimit: 10, accountLimit: 100),
    ])

    public init(plans: [Plan]) {
        self.plans = Dictionary(uniqueKeysWithValues: plans.map { ($0.id, $0) })
    }

    public subscript(id: String) -> Plan? { plans[id] }

    /// Plan ids in a stable order, smallest first.
    public var ids: [String] {
        plans.values.sorted { ($0.seatLimit ?? .max, $0.accountLimit ?? .max, $0.id) < ($1.seatLimit ?? .max, $1.accountLimit ?? .max, $1.id) }
            .map(\.id)
    }

    /// Looks a plan up for a request field, with a validation error naming the choices.
    public func require(_ id: String, field: String = "plan") throws(DomainError) -> Plan {
        guard let plan = plans[id] else {
            throw .invalid(field, "unknown plan '\(id.prefix(40))'; expected one of \(ids.joined(separator: ", "))")
        }
        return plan
    }

    /// Overrides or adds one plan from an operator setting such as `5/30` or `unlimited/50`.
    /// - Returns: an error message when the value cannot be read.
    public mutating func apply(planID: String, setting: String) -> String? {
        let parts = setting.split(separator: "/", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        guard parts.count == 2, let seats = Self.limit(parts[0]), let accounts = Self.limit(parts[1]) else {
            return "expected SEATS/ACCOUNTS such as 5/30 or unlimited/50, got '\(setting)'"
        }
        let id = planID.lowercased()
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            return "plan names use letters, digits and underscores, got '\(planID)'"
        }
        plans[id] = Plan(id: id, seatLimit: seats, accountLimit: accounts)
        return nil
    }

    /// `.some(nil)` is "unlimited"; `nil` is an unreadable value.
    private static func limit(_ text: String) -> Int?? {
        if text.lowercased() == "unlimited" { return .some(nil) }
        guard let number = Int(text), number >= 0 else { return nil }
        return .some(number)
    }
}
