import CrewCore
import Testing

@Suite struct PlanCatalogTests {
    @Test func defaultsMatchTheDesign() {
        let plans = PlanCatalog.defaults
        #expect(plans["free"] == Plan(id: "free", seatLimit: 0, accountLimit: 3))
        #expect(plans["professional"] == Plan(id: "professional", seatLimit: 0, accountLimit: 10))
        #expect(plans["small_team"] == Plan(id: "small_team", seatLimit: 2, accountLimit: 20))
        #expect(plans["agency"] == Plan(id: "agency", seatLimit: 5, accountLimit: 30))
        #expect(plans["agency_plus"] == Plan(id: "agency_plus", seatLimit: nil, accountLimit: 50))
        #expect(plans["custom"] != nil)
    }

    @Test func operatorCanEditAndAddPlans() {
        var plans = PlanCatalog.defaults
        #expect(plans.apply(planID: "AGENCY", setting: "7/40") == nil)
        #expect(plans["agency"] == Plan(id: "agency", seatLimit: 7, accountLimit: 40))
        #expect(plans.apply(planID: "enterprise", setting: "unlimited/unlimited") == nil)
        #expect(plans["enterprise"] == Plan(id: "enterprise", seatLimit: nil, accountLimit: nil))
    }

    @Test(arguments: ["7", "a/b", "-1/3", "5/30/1", ""])
    func unreadablePlanSettingsAreReported(setting: String) {
        var plans = PlanCatalog.defaults
        #expect(plans.apply(planID: "agency", setting: setting) != nil)
        #expect(plans["agency"]?.seatLimit == 5)
    }

    @Test func unknownPlanIsAValidationErrorListingTheChoices() {
        do {
            _ = try PlanCatalog.defaults.require("gold")
            Issue.record("expected an error")
        } catch {
            #expect(error.status == 422)
            #expect(error.detail.contains("agency"))
        }
    }
}

@Suite struct SeatTests {
    static let cases: [(Role, Set<ClientPermission>, Bool)] = [
        (.owner, [], false),
        (.admin, [], true), (.manager, [], true), (.editor, [], true),
        (.client, [], false), (.client, [.viewAnalytics, .manageInbox, .approvePosts], false),
        (.client, [.publishPosts], true),
    ]

    @Test(arguments: cases)
    func whoTakesASeat(role: Role, permissions: Set<ClientPermission>, counts: Bool) {
        #expect(Seats.countsAsSeat(role: role, permissions: permissions) == counts)
    }

    @Test func usageAllowsUpToTheLimit() {
        #expect(Usage(limit: 5, used: 4).allows(adding: 1))
        #expect(!Usage(limit: 5, used: 5).allows(adding: 1))
        #expect(Usage(limit: nil, used: 1_000_000).allows(adding: 1))
    }

    @Test func permissionAndPlatformListsReportUnknownNames() throws {
        #expect(throws: DomainError.self) { try ClientPermission.parseList(["publish_posts", "fly"], field: "permissions") }
        #expect(try Platform.parseList(["sandbox", "x", "google_business"], field: "p") == [.sandbox, .x, .googleBusiness])
    }
}
