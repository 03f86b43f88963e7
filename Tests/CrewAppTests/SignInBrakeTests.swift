import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Log-in and sign-up brakes (DESIGN.md §1): failed log-ins slow an email
/// address down and then lock it, doubling, even for the right password; a
/// success starts the count again; one client address gets only so many
/// failures a minute and sign-ups an hour.
@Suite struct SignInBrakeTests {
    static func login(_ app: TestApp, _ email: String, _ password: String) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
    }

    static func retryAfter(_ response: TestResponse) -> Int? {
        response.headers[.retryAfter].flatMap { Int($0) }
    }

    @Test func wrongPasswordsSlowDownThenLockTheAccountDoublingAndTheRightOneWaitsToo() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            // Two typos cost nothing.
            for _ in 0..<2 { #expect(try await Self.login(app, pat.email, "wrong password").status == .unauthorized) }
            // The third failure makes the next attempt wait a second, the fourth two.
            #expect(try await Self.login(app, pat.email, "wrong password").status == .unauthorized)
            let slowed = try await Self.login(app, pat.email, pat.password)
            #expect(slowed.status == .tooManyRequests)
            #expect(slowed.problem?.code == "rate_limited")
            #expect(Self.retryAfter(slowed) == 1)
            // The log-in page says so too, with the same Retry-After.
            let page = try await app.client.send(
                .post, "/login", body: "email=\(pat.email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=x",
                headers: [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"])
            #expect(page.status == .tooManyRequests && Self.retryAfter(page) == 1)
            app.clock.advance(by: 1)
            #expect(try await Self.login(app, pat.email, "wrong password").status == .unauthorized)
            #expect(Self.retryAfter(try await Self.login(app, pat.email, "wrong password")) == 2)
            app.clock.advance(by: 2)
            // The fifth locks it for a minute: the right password is refused, and the person hears of it once.
            #expect(try await Self.login(app, pat.email, "wrong password").status == .unauthorized)
            let locked = try await Self.login(app, pat.email, pat.password)
            #expect(locked.status == .tooManyRequests)
            #expect(Self.retryAfter(locked) == 60)
            app.clock.advance(by: 60)
            // Each failure after the lock doubles it.
            #expect(try await Self.login(app, pat.email, "wrong password").status == .unauthorized)
            #expect(Self.retryAfter(try await Self.login(app, pat.email, pat.password)) == 120)
            app.clock.advance(by: 120)
            #expect(try await Self.login(app, pat.email, pat.password).status == .ok)
            // A success starts again: the next typo is free.
            #expect(try await Self.login(app, pat.email, "wrong password").status == .unauthorized)
            #expect(try await Self.login(app, pat.email, pat.password).status == .ok)

            let mails = try await OutboxMessageModel.query(on: app.db).filter(\.$toAddress == pat.email).filter(\.$kind == "account_locked").all()
            #expect(mails.count == 1)
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "account.locked").all()
            #expect(audit.count == 1)
            #expect(audit.first?.targetLabel == pat.email)
            // The log names the account and never what was typed.
            let lines = app.logs.all
            #expect(lines.contains { $0.contains("log-in locked") && $0.contains(pat.email) })
            #expect(!lines.contains { $0.contains("wrong password") || $0.contains(pat.password) })
        }
    }

    @Test func thirtyWrongPasswordsInARowAreMostlyRefusedWithoutBeingChecked() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            var statuses: [Int] = []
            for _ in 0..<30 { statuses.append(Int(try await Self.login(app, pat.email, "wrong password").status.code)) }
            #expect(statuses.filter { $0 == 401 }.count == 3)
            #expect(statuses.filter { $0 == 429 }.count == 27)
            #expect(try await Self.login(app, pat.email, pat.password).status == .tooManyRequests)
        }
    }

    @Test func anUnknownAddressIsBrakedLikeAKnownOneAndNobodyIsMailed() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            let nobody = "nobody-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            var known: [Int] = [], unknown: [Int] = []
            for _ in 0..<6 {
                known.append(Int(try await Self.login(app, pat.email, "wrong password").status.code))
                unknown.append(Int(try await Self.login(app, nobody, "wrong password").status.code))
                app.clock.advance(by: 2)
            }
            // Same answers: a lock never tells whether an account exists.
            #expect(known == unknown)
            #expect(known.last == 429)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$toAddress == nobody).count() == 0)
        }
    }

    @Test func oneClientAddressGetsOnlySoManyFailuresAMinuteOverAllAccounts() async throws {
        try await TestApp.run(environment: ["CREW_LOGIN_FAILURES_PER_ADDRESS": "4"]) { app in
            let people = [try await app.signup("Ann"), try await app.signup("Ben"), try await app.signup("Cat"), try await app.signup("Dan")]
            let accounts = app.services.accounts
            let attacker = SignInOrigin(address: "203.0.113.7", logger: app.logs.logger())
            let neighbour = SignInOrigin(address: "198.51.100.1", logger: app.logs.logger())
            for person in people {
                await #expect(throws: DomainError.unauthenticated("Email or password is incorrect.")) {
                    _ = try await accounts.login(email: person.email, password: "guess", from: attacker, on: app.db)
                }
            }
            // The fifth failure this minute, for anyone, is refused before it is checked; the right password too.
            await #expect(throws: DomainError.self) { _ = try await accounts.login(email: people[0].email, password: people[0].password, from: attacker, on: app.db) }
            do {
                _ = try await accounts.login(email: people[1].email, password: people[1].password, from: attacker, on: app.db)
                Issue.record("expected the address to be braked")
            } catch let error as DomainError {
                #expect(error.code == "rate_limited")
            }
            // Another address is not braked by it, and the minute passes.
            _ = try await accounts.login(email: people[2].email, password: people[2].password, from: neighbour, on: app.db)
            app.clock.advance(by: 60)
            _ = try await accounts.login(email: people[3].email, password: people[3].password, from: attacker, on: app.db)
        }
    }

    @Test func oneClientAddressGetsOnlySoManySignUpsAnHour() async throws {
        try await TestApp.run(environment: ["CREW_SIGNUPS_PER_ADDRESS": "3"]) { app in
            let accounts = app.services.accounts
            let origin = SignInOrigin(address: "203.0.113.9", logger: app.logs.logger())
            for index in 0..<3 {
                _ = try await accounts.signup(email: "p\(index)@example.com", password: "correct horse battery", name: "P \(index)", from: origin, on: app.db)
            }
            do {
                _ = try await accounts.signup(email: "p3@example.com", password: "correct horse battery", name: "P 3", from: origin, on: app.db)
                Issue.record("expected the fourth sign-up to be braked")
            } catch let error as DomainError {
                #expect(error.code == "rate_limited")
            }
            #expect(try await UserModel.query(on: app.db).filter(\.$email == "p3@example.com").count() == 0)
            app.clock.advance(by: 3_600)
            _ = try await accounts.signup(email: "p3@example.com", password: "correct horse battery", name: "P 3", from: origin, on: app.db)
        }
    }

    @Test func concurrentWrongPasswordsGetExactlyTheChecksTheBrakeAllows() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 { group.addTask { Int(try await Self.login(app, pat.email, "wrong password").status.code) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(statuses)")
            let guardRow = try #require(try await LoginGuardModel.query(on: app.db).filter(\.$email == pat.email).first())
            // Attempts are counted before their password is checked, so the third
            // one's wait stops every attempt still in flight: exactly three checks.
            #expect(statuses.filter { $0 == 401 }.count == 3, "\(statuses)")
            #expect(guardRow.failures == 3)
            #expect(try await Self.login(app, pat.email, pat.password).status == .tooManyRequests)
        }
    }
}
