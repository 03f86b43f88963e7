import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Password reset by mail: a single-use, expiring link stored hashed; using it
/// sets the password, ends every session and lifts a log-in lock.
@Suite struct PasswordResetTests {
    static func ask(_ app: TestApp, _ email: String) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/auth/password-reset", json: ["email": email])
    }

    static func reset(_ app: TestApp, _ token: String, _ password: String) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/auth/password-reset/confirm", json: ["token": token, "password": password])
    }

    static func login(_ app: TestApp, _ email: String, _ password: String) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
    }

    @Test func aResetLinkSetsTheNewPasswordOnceEndsEverySessionAndLiftsTheLock() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            // Locked out by someone else's guesses.
            for _ in 0..<5 {
                _ = try await Self.login(app, pat.email, "wrong password")
                app.clock.advance(by: 2)
            }
            #expect(try await Self.login(app, pat.email, pat.password).status == .tooManyRequests)
            #expect(try await Self.ask(app, pat.email).status == .accepted)
            let token = try await app.tokenInNewestMail(to: pat.email, kind: "password_reset")
            // The table keeps the token's hash only.
            let stored = try await PasswordResetModel.query(on: app.db).all()
            #expect(stored.count == 1 && stored[0].tokenHash == SecureToken.hash(token))

            // A password too short is refused and the link still works.
            let short = try await Self.reset(app, token, "short")
            #expect(short.status == .unprocessableContent)
            #expect(short.problem?.code == "validation_failed")
            #expect(try await Self.reset(app, token, "a brand new passphrase").status == .noContent)

            #expect(try await app.client.send(.get, "/api/v1/me", token: pat.token).status == .unauthorized)
            #expect(try await Self.login(app, pat.email, pat.password).status == .unauthorized)
            #expect(try await Self.login(app, pat.email, "a brand new passphrase").status == .ok)
            // Used once.
            let again = try await Self.reset(app, token, "yet another passphrase")
            #expect(again.status == .gone)
            #expect(again.problem?.code == "reset_token_inactive")
            #expect(try await Self.login(app, pat.email, "a brand new passphrase").status == .ok)
        }
    }

    @Test func aLinkExpiresAndANewerOneReplacesIt() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            _ = try await Self.ask(app, pat.email)
            let first = try await app.tokenInNewestMail(to: pat.email, kind: "password_reset")
            _ = try await Self.ask(app, pat.email)
            let second = try await app.tokenInNewestMail(to: pat.email, kind: "password_reset")
            #expect(first != second)
            #expect(try await Self.reset(app, first, "a brand new passphrase").problem?.code == "reset_token_inactive")
            app.clock.advance(by: PasswordResetService.lifetime + 1)
            #expect(try await Self.reset(app, second, "a brand new passphrase").problem?.code == "reset_token_inactive")
            #expect(try await Self.reset(app, "not-a-token", "a brand new passphrase").problem?.code == "reset_token_inactive")
            #expect(try await Self.login(app, pat.email, pat.password).status == .ok)
        }
    }

    @Test func theAnswerNeverTellsWhetherAnAccountExistsAndMailsAreCapped() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            let nobody = "nobody@example.com"
            #expect(try await Self.ask(app, nobody).status == .accepted)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$toAddress == nobody).count() == 0)
            for _ in 0..<(PasswordResetService.mailsPerHour + 2) { #expect(try await Self.ask(app, pat.email).status == .accepted) }
            let mails = try await OutboxMessageModel.query(on: app.db).filter(\.$toAddress == pat.email).filter(\.$kind == "password_reset").count()
            #expect(mails == PasswordResetService.mailsPerHour)
            let bad = try await Self.ask(app, "not an address")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.problem?.code == "validation_failed")
        }
    }

    @Test func twoRequestsRacingWithOneLinkSetThePasswordOnce() async throws {
        try await TestApp.run { app in
            let pat = try await app.signup("Pat Person")
            _ = try await Self.ask(app, pat.email)
            let token = try await app.tokenInNewestMail(to: pat.email, kind: "password_reset")
            async let one = Self.reset(app, token, "first new passphrase")
            async let two = Self.reset(app, token, "second new passphrase")
            let statuses = [try await one.status, try await two.status]
            #expect(statuses.filter { $0 == .noContent }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .gone }.count == 1, "\(statuses)")
            let first = try await Self.login(app, pat.email, "first new passphrase").status
            let second = try await Self.login(app, pat.email, "second new passphrase").status
            #expect([first, second].filter { $0 == .ok }.count == 1)
        }
    }
}
