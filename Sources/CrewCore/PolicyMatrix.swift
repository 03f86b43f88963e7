/// Renders the policy as Markdown tables (committed as docs/policy-matrix.md and
/// checked by a test to be current), so people can read who may do what.
public enum PolicyMatrix {
    /// The kinds of member the matrix shows: each role, and clients and editors
    /// with each permission that changes what they may do.
    public static let subjects: [(label: String, facts: MemberFacts)] = [
        ("owner", MemberFacts(role: .owner)),
        ("admin", MemberFacts(role: .admin)),
        ("manager", MemberFacts(role: .manager)),
        ("editor", MemberFacts(role: .editor)),
        ("editor +analytics", MemberFacts(role: .editor, permissions: [.viewAnalytics])),
        ("editor +inbox", MemberFacts(role: .editor, permissions: [.manageInbox])),
        ("client", MemberFacts(role: .client)),
        ("client +publish", MemberFacts(role: .client, permissions: [.publishPosts])),
        ("client +analytics", MemberFacts(role: .client, permissions: [.viewAnalytics])),
        ("client +inbox", MemberFacts(role: .client, permissions: [.manageInbox])),
        ("client +approve", MemberFacts(role: .client, permissions: [.approvePosts])),
        ("client +platforms", MemberFacts(role: .client, allowedPlatforms: [.sandbox])),
    ]

    /// One cell: ✓ allowed, otherwise the error code the request is refused with.
    public static func cell(_ decision: Decision) -> String {
        switch decision {
        case .allow: "✓"
        case .deny(let error): error.code == "forbidden" ? "—" : error.code
        }
    }

    public static func markdown() -> String {
        var out = """
            # Who may do what

            Generated from `Policy.decide` (Sources/CrewCore/Policy.swift); a test fails
            when this file is out of date. Regenerate with
            `CREW_UPDATE_DOCS=1 swift test --filter PolicyTableTests`.

            ✓ allowed · — refused with `forbidden` (403) · `not_found` (404: the account
            does not exist for this member) · other codes as in API.md.
            "+x" marks a permission granted to that member.

            """
        for assigned in [true, false] {
            out += "\n## " + (assigned ? "On an account assigned to the member" : "On an account not assigned to the member") + "\n\n"
            out += "| action | " + subjects.map(\.label).joined(separator: " | ") + " |\n"
            out += "|---|" + String(repeating: "---|", count: subjects.count) + "\n"
            for action in Action.allCases {
                let cells = subjects.map { cell(Policy.decide($0.facts, action, accountAssigned: assigned)) }
                out += "| \(action.rawValue) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }
}
