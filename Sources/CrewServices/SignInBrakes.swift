import CrewCore
import CrewStore
import Foundation
import Logging

/// Where a sign-in attempt comes from: the client's address (for the
/// per-address limits) and the request's logger.
public struct SignInOrigin: Sendable {
    public var address: String?
    public var logger: Logger

    public init(address: String?, logger: Logger) {
        self.address = address
        self.logger = logger
    }

    var actor: Actor { Actor(userID: nil, name: "anonymous", ip: address) }
}

/// How many attempts one client address gets (0: no limit).
public struct SignInLimits: Sendable, Equatable {
    /// Failed log-ins (and reset requests) per minute from one address, over all accounts.
    public var failuresPerAddressPerMinute: Int
    /// Sign-ups per hour from one address.
    public var signupsPerAddressPerHour: Int

    public init(failuresPerAddressPerMinute: Int = 30, signupsPerAddressPerHour: Int = 20) {
        self.failuresPerAddressPerMinute = failuresPerAddressPerMinute
        self.signupsPerAddressPerHour = signupsPerAddressPerHour
    }
}

/// The brakes on log-in and sign-up (DESIGN.md §1), counted in the database
/// so every process brakes the same attempts: per email address the failures
/// in a row (`LoginBrake`), per client address the failures a minute and the
/// sign-ups an hour. A braked attempt is refused with 429 before any password
/// is checked, so a flood of wrong passwords costs a lookup each, not a bcrypt.
struct SignInBrakes: Sendable {
    let env: CrewEnvironment
    let limiter: RateLimiter
    let audit: AuditLog

    init(env: CrewEnvironment) {
        self.env = env
        self.limiter = RateLimiter(clock: env.clock)
        self.audit = AuditLog(clock: env.clock)
    }

    /// Admits an attempt for `email`, counting it up front, or refuses it while
    /// the email waits after failures or its address used up its failures this
    /// minute. The right password is refused too.
    /// - Returns: the failures in a row this attempt makes if it fails.
    func admitLogIn(email: String?, from origin: SignInOrigin, on db: any Database) async throws -> Int {
        try await checkAddress(origin, on: db)
        guard let email else { return 0 }
        let now = env.clock.now
        switch try await SignInGuardStore.enter(email, at: now, waitAfter: LoginBrake.wait(afterFailures:), on: db) {
        case .waiting(let until):
            throw DomainError.rateLimited(retryAfterSeconds: LoginBrake.retryAfter(until: until, now: now))
        case .admitted(let failures):
            return failures
        }
    }

    /// Whether the client address used up its failed attempts this minute.
    func checkAddress(_ origin: SignInOrigin, on db: any Database) async throws {
        let limit = env.signInLimits.failuresPerAddressPerMinute
        guard limit > 0 else { return }
        try await limiter.check(Self.addressBucket(origin.address), limit: limit, window: 60, on: db)
    }

    /// An admitted attempt failed (`failures` in a row, counted at admission):
    /// counts it for the address; the failure that locks the account first
    /// mails its owner.
    func failed(email: String?, failures: Int, user: UserModel?, from origin: SignInOrigin, on db: any Database) async throws {
        if env.signInLimits.failuresPerAddressPerMinute > 0 {
            try await limiter.hit(Self.addressBucket(origin.address), window: 60, on: db)
        }
        guard let email, failures >= LoginBrake.lockAfter else { return }
        let until = env.clock.now.addingTimeInterval(LoginBrake.wait(afterFailures: failures))
        // The log and the audit name the account, never what was typed; a
        // flood logs its first lock as a warning and the doublings below it.
        origin.logger.log(
            level: LoginBrake.locksFirst(failures) ? .warning : .info, "log-in locked after failed attempts",
            metadata: ["email": "\(email)", "failures": "\(failures)", "until": "\(until.formatted(.iso8601))", "ip": "\(origin.address ?? "unknown")"])
        guard let user, LoginBrake.locksFirst(failures) else { return }
        try await db.writeTransaction { tx in
            try await audit.record(
                AuditEntry(
                    workspaceID: nil, action: "account.locked", targetType: "user", targetID: user.id!.apiString, targetLabel: email,
                    after: ["failures": "\(failures)", "lockedUntil": until.formatted(.iso8601)]),
                by: origin.actor, on: tx)
            try await Outbox(env: env).enqueue(
                CrewMails.accountLocked(to: email, name: user.name, until: until, resetURL: "\(env.publicURL)/forgot-password"), on: tx)
        }
    }

    /// A log-in succeeded: the count of the email starts again.
    func succeeded(email: String, on db: any Database) async throws {
        try await SignInGuardStore.clear(email, on: db)
    }

    /// Counts a sign-up from the address, refusing it past the hour's limit.
    func signUp(from origin: SignInOrigin, on db: any Database) async throws {
        let limit = env.signInLimits.signupsPerAddressPerHour
        guard limit > 0 else { return }
        let bucket = "signup:\(origin.address ?? "unknown")"
        try await limiter.check(bucket, limit: limit, window: 3_600, on: db)
        try await limiter.hit(bucket, window: 3_600, on: db)
    }

    private static func addressBucket(_ address: String?) -> String { "login-fail:\(address ?? "unknown")" }
}
