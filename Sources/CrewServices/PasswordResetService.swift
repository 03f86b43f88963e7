import CrewCore
import CrewStore
import Foundation

/// Setting a new password by mail, so a locked-out person helps themselves:
/// a single-use link that expires, stored as its hash; using it ends every
/// session of the person and starts their failed-log-in count again.
public struct PasswordResetService: Sendable {
    /// How long a reset link works.
    public static let lifetime: TimeInterval = 3_600
    /// Reset mails one address receives in an hour; asking more sends nothing
    /// (the answer stays the same, so it never tells whether an account exists).
    public static let mailsPerHour = 3

    let env: CrewEnvironment
    let brakes: SignInBrakes
    let limiter: RateLimiter
    let audit: AuditLog

    public init(env: CrewEnvironment) {
        self.env = env
        self.brakes = SignInBrakes(env: env)
        self.limiter = RateLimiter(clock: env.clock)
        self.audit = AuditLog(clock: env.clock)
    }

    /// Mails a reset link when the address belongs to an account. Answers the
    /// same either way; a client address asking too often is braked like
    /// failed log-ins (it counts as one).
    public func request(email rawEmail: String, from origin: SignInOrigin, on db: any Database) async throws {
        let email = try EmailAddress(rawEmail)
        try await brakes.checkAddress(origin, on: db)
        try await brakes.failed(email: nil, failures: 0, user: nil, from: origin, on: db)
        guard let user = try await UserModel.query(on: db).filter(\.$email == email.value).first() else { return }
        let bucket = "reset-mail:\(email.value)"
        guard (try? await limiter.check(bucket, limit: Self.mailsPerHour, window: 3_600, on: db)) != nil else {
            origin.logger.notice("password reset mail not sent: hourly limit", metadata: ["email": "\(email.value)"])
            return
        }
        let token = SecureToken.generate()
        let now = env.clock.now
        let expiresAt = now.addingTimeInterval(Self.lifetime)
        try await db.writeTransaction { tx in
            try await limiter.hit(bucket, window: 3_600, on: tx)
            try await SignInGuardStore.addReset(userID: user.id!, tokenHash: SecureToken.hash(token), at: now, expiresAt: expiresAt, on: tx)
            try await Outbox(env: env).enqueue(
                CrewMails.passwordReset(
                    to: user.email, name: user.name, resetURL: "\(env.publicURL)/reset-password?token=\(token)", expiresAt: expiresAt),
                on: tx)
        }
        origin.logger.info("password reset mail queued", metadata: ["email": "\(email.value)"])
    }

    /// Sets the new password with a reset token, once. A token used, replaced
    /// by a newer one, expired or unknown is `reset_token_inactive` (410).
    public func reset(token: String, newPassword: String, from origin: SignInOrigin, on db: any Database) async throws {
        try AccountRules.validatePassword(newPassword)
        guard SecureToken.isWellFormed(token) else { throw DomainError.resetTokenInactive() }
        let hash = try await env.passwordHasher.hash(newPassword)
        let email: String = try await db.writeTransaction { tx in
            guard let userID = try await SignInGuardStore.useReset(tokenHash: SecureToken.hash(token), at: env.clock.now, on: tx),
                let user = try await UserModel.find(userID, on: tx)
            else { throw DomainError.resetTokenInactive() }
            user.passwordHash = hash
            try await user.update(on: tx)
            try await SessionModel.query(on: tx).filter(\.$userID == userID).delete()
            try await SignInGuardStore.clear(user.email, on: tx)
            try await audit.record(
                AuditEntry(workspaceID: nil, action: "account.password_reset", targetType: "user", targetID: userID.apiString, targetLabel: user.email),
                by: origin.actor, on: tx)
            return user.email
        }
        origin.logger.notice("password reset: every session ended", metadata: ["email": "\(email)"])
    }
}
