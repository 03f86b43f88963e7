import CrewCore
import Testing

/// The who-sees-whom rule, spelled out for every viewer and member kind, and
/// the shortcut the members list's statement takes (`reach`) agreeing with it.
@Suite struct PeopleRulesTests {
    /// viewer, member, sees without sharing an account, sees when sharing one.
    static let table: [(Role, Role, Sight, Sight)] = [
        (.owner, .owner, .full, .full), (.owner, .admin, .full, .full), (.owner, .manager, .full, .full),
        (.owner, .editor, .full, .full), (.owner, .client, .full, .full),
        (.admin, .owner, .full, .full), (.admin, .admin, .full, .full), (.admin, .manager, .full, .full),
        (.admin, .editor, .full, .full), (.admin, .client, .full, .full),
        (.manager, .owner, .full, .full), (.manager, .admin, .full, .full), (.manager, .manager, .full, .full),
        (.manager, .editor, .full, .full), (.manager, .client, .hidden, .full),
        (.editor, .owner, .full, .full), (.editor, .admin, .full, .full), (.editor, .manager, .full, .full),
        (.editor, .editor, .full, .full), (.editor, .client, .hidden, .full),
        (.client, .owner, .nameAndRole, .nameAndRole), (.client, .admin, .nameAndRole, .nameAndRole),
        (.client, .manager, .hidden, .nameAndRole), (.client, .editor, .hidden, .nameAndRole),
        (.client, .client, .hidden, .hidden),
    ]

    @Test func everyViewerAndMemberKind() {
        #expect(Self.table.count == Role.allCases.count * Role.allCases.count)
        for (viewer, target, apart, sharing) in Self.table {
            #expect(PeopleRules.sight(viewer: viewer, isSelf: false, target: target, sharesAccount: false) == apart, "\(viewer) → \(target)")
            #expect(PeopleRules.sight(viewer: viewer, isSelf: false, target: target, sharesAccount: true) == sharing, "\(viewer) → \(target) sharing")
        }
    }

    @Test func everyoneSeesThemselvesFully() {
        for role in Role.allCases {
            #expect(PeopleRules.sight(viewer: role, isSelf: true, target: role, sharesAccount: false) == .full)
        }
    }

    @Test func reachAgreesWithTheRule() {
        for viewer in Role.allCases {
            let reach = PeopleRules.reach(of: viewer)
            for target in Role.allCases {
                let apart = PeopleRules.sight(viewer: viewer, isSelf: false, target: target, sharesAccount: false) != .hidden
                let sharing = PeopleRules.sight(viewer: viewer, isSelf: false, target: target, sharesAccount: true) != .hidden
                #expect(apart == reach.always.contains(target), "\(viewer) → \(target)")
                #expect(sharing == (reach.always.contains(target) || reach.whenSharing.contains(target)), "\(viewer) → \(target)")
            }
            #expect(PeopleRules.seesEveryone(viewer) == (reach.always.count == Role.allCases.count))
        }
    }
}
