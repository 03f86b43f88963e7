import CrewCore
import Foundation
import Testing

/// The policy as a table written by hand: every subject × action × assigned or
/// not. Letters: A allow, F forbidden, N not found, C clients_cannot_remove_accounts.
@Suite struct PolicyTableTests {
    static let actions: [Action] = [
        .manageMembers, .invite, .editInviteLink, .readAuditLog, .changePlan, .transferOwnership, .connectAccounts,
        .viewPosts, .commentOnPosts, .createPosts, .publishPosts, .approvePosts, .viewAnalytics, .readInbox, .replyInbox,
        .removeAccounts,
    ]

    /// subject → (on an assigned account, on an unassigned account), one letter per action above.
    static let expected: [String: (assigned: String, unassigned: String)] = [
        "owner": ("AAAAAAA AAAAAAAAA", "AAAAAAA AAAAAAAAA"),
        "admin": ("AAAAFFA AAAAAAAAA", "AAAAFFA AAAAAAAAA"),
        "manager": ("FFFFFFA AAAAAAAAA", "FFFFFFA NNNNNNNNN"),
        "editor": ("FFFFFFF AAAFFFFFF", "FFFFFFF NNNNNNNNN"),
        "editor +analytics": ("FFFFFFF AAAFFAFFF", "FFFFFFF NNNNNNNNN"),
        "editor +inbox": ("FFFFFFF AAAFFFAAF", "FFFFFFF NNNNNNNNN"),
        "client": ("FFFFFFF AAFFFFFFC", "FFFFFFF NNNNNNNNN"),
        "client +publish": ("FFFFFFF AAAAFFFFC", "FFFFFFF NNNNNNNNN"),
        "client +analytics": ("FFFFFFF AAFFFAFFC", "FFFFFFF NNNNNNNNN"),
        "client +inbox": ("FFFFFFF AAFFFFAAC", "FFFFFFF NNNNNNNNN"),
        "client +approve": ("FFFFFFF AAFFAFFFC", "FFFFFFF NNNNNNNNN"),
        "client +platforms": ("FFFFFFA AAFFFFFFC", "FFFFFFA NNNNNNNNN"),
    ]

    static func letter(_ decision: Decision) -> Character {
        switch decision {
        case .allow: "A"
        case .deny(.forbidden): "F"
        case .deny(.notFound): "N"
        case .deny(.clientsCannotRemoveAccounts): "C"
        case .deny: "?"
        }
    }

    @Test func everyActionIsInTheTable() {
        #expect(Set(Self.actions.map(\.rawValue)) == Set(Action.allCases.map(\.rawValue)))
        #expect(Set(Self.expected.keys) == Set(PolicyMatrix.subjects.map(\.label)))
    }

    @Test(arguments: PolicyMatrix.subjects.map(\.label))
    func decisionsMatchTheTable(subject: String) throws {
        let facts = try #require(PolicyMatrix.subjects.first { $0.label == subject }?.facts)
        let row = try #require(Self.expected[subject])
        for (assigned, letters) in [(true, row.assigned), (false, row.unassigned)] {
            let spec = Array(letters.replacingOccurrences(of: " ", with: ""))
            #expect(spec.count == Self.actions.count)
            for (action, want) in zip(Self.actions, spec) {
                let got = Self.letter(Policy.decide(facts, action, accountAssigned: assigned))
                #expect(got == want, "\(subject) \(action.rawValue) assigned=\(assigned): expected \(want), got \(got)")
            }
        }
    }

    @Test func committedMatrixIsCurrent() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/policy-matrix.md")
        let generated = PolicyMatrix.markdown()
        if ProcessInfo.processInfo.environment["CREW_UPDATE_DOCS"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try generated.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == generated, "docs/policy-matrix.md is stale; regenerate with CREW_UPDATE_DOCS=1")
    }
}

@Suite struct MembershipRulesTests {
    @Test func onlyOwnerAndAdminsInvite() {
        #expect(throws: DomainError.forbidden("Only the owner and admins manage people.")) {
            try MembershipRules.checkInvite(actor: .manager, role: .client)
        }
        #expect(throws: Never.self) { try MembershipRules.checkInvite(actor: .admin, role: .manager) }
    }

    @Test func onlyTheOwnerAddsAdmins() {
        #expect(throws: Never.self) { try MembershipRules.checkInvite(actor: .owner, role: .admin) }
        #expect { try MembershipRules.checkInvite(actor: .admin, role: .admin) } throws: { ($0 as? DomainError)?.code == "role_escalation" }
        #expect { try MembershipRules.checkRoleChange(actor: .admin, from: .editor, to: .admin) } throws: {
            ($0 as? DomainError)?.code == "role_escalation"
        }
        #expect { try MembershipRules.checkRemoval(actor: .admin, target: .admin) } throws: { ($0 as? DomainError)?.code == "role_escalation" }
    }

    @Test func nobodyEditsTheirEqualsOrBetters() {
        #expect { try MembershipRules.checkEdit(actor: .admin, target: .admin) } throws: { ($0 as? DomainError)?.code == "role_escalation" }
        #expect(throws: Never.self) { try MembershipRules.checkEdit(actor: .owner, target: .admin) }
        #expect(throws: Never.self) { try MembershipRules.checkEdit(actor: .admin, target: .manager) }
    }

    @Test func clientRoleIsOneWay() {
        #expect { try MembershipRules.checkRoleChange(actor: .owner, from: .client, to: .editor) } throws: { ($0 as? DomainError)?.status == 422 }
        #expect { try MembershipRules.checkRoleChange(actor: .owner, from: .manager, to: .client) } throws: { ($0 as? DomainError)?.status == 422 }
        #expect(throws: Never.self) { try MembershipRules.checkRoleChange(actor: .owner, from: .editor, to: .manager) }
    }

    @Test func theOwnerStays() {
        #expect { try MembershipRules.checkRemoval(actor: .owner, target: .owner) } throws: { ($0 as? DomainError)?.code == "last_owner" }
        #expect { try MembershipRules.checkLeave(role: .owner) } throws: { ($0 as? DomainError)?.code == "last_owner" }
        #expect { try MembershipRules.checkRoleChange(actor: .owner, from: .owner, to: .admin) } throws: { ($0 as? DomainError)?.code == "last_owner" }
        #expect { try MembershipRules.checkInvite(actor: .owner, role: .owner) } throws: { ($0 as? DomainError)?.status == 422 }
    }

    @Test func ownershipGoesOnlyToAnAdmin() {
        #expect(throws: Never.self) { try MembershipRules.checkTransfer(actor: .owner, target: .admin) }
        #expect { try MembershipRules.checkTransfer(actor: .admin, target: .admin) } throws: { ($0 as? DomainError)?.code == "forbidden" }
        #expect { try MembershipRules.checkTransfer(actor: .owner, target: .manager) } throws: { ($0 as? DomainError)?.status == 422 }
    }
}

@Suite struct InviteLinkRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func statusFlipsAtStatusUntil() {
        let disabledForADay = LinkSchedule(status: .disabled, statusUntil: now.addingTimeInterval(86_400))
        #expect(disabledForADay.effectiveStatus(at: now) == .disabled)
        #expect(disabledForADay.effectiveStatus(at: now.addingTimeInterval(86_400)) == .enabled)
        let enabledForAWeek = LinkSchedule(status: .enabled, statusUntil: now.addingTimeInterval(7 * 86_400))
        #expect(enabledForAWeek.effectiveStatus(at: now.addingTimeInterval(7 * 86_400 - 1)) == .enabled)
        #expect(enabledForAWeek.effectiveStatus(at: now.addingTimeInterval(7 * 86_400)) == .disabled)
        #expect(LinkSchedule(status: .enabled, statusUntil: nil).effectiveStatus(at: .distantFuture) == .enabled)
    }

    @Test func usesRunOut() {
        let open = LinkSchedule(status: .enabled, statusUntil: nil)
        #expect(InviteLinkRules.isActive(open, uses: 4, maxUses: 5, at: now))
        #expect(!InviteLinkRules.isActive(open, uses: 5, maxUses: 5, at: now))
        #expect(InviteLinkRules.isActive(open, uses: 1_000_000, maxUses: nil, at: now))
    }

    @Test func badValuesAreRefused() {
        #expect(throws: DomainError.self) { try InviteLinkRules.validateStatusUntil(now, now: now) }
        #expect(throws: DomainError.self) { try InviteLinkRules.validateMaxUses(0, uses: 0) }
        #expect(throws: DomainError.self) { try InviteLinkRules.validateMaxUses(3, uses: 4) }
        #expect(throws: Never.self) { try InviteLinkRules.validateMaxUses(4, uses: 4) }
        #expect(InviteLinkRules.seatsPerJoiner([.publishPosts]) == 1)
        #expect(InviteLinkRules.seatsPerJoiner([.viewAnalytics]) == 0)
    }
}
