import CrewCore
import Foundation

/// What every use case needs besides the database: time, sealing, plans and
/// tunables. Passed through initializers so tests can fix the clock.
public struct CrewEnvironment: Sendable {
    public var clock: CrewClock
    public var sealer: SecretSealer
    public var plans: PlanCatalog
    public var passwordHasher: PasswordHasher
    /// How long a login session lasts.
    public var sessionLifetime: TimeInterval
    /// Base of links shown to people, without a trailing slash.
    public var publicURL: String
    /// Members pages read at the workspace's current members-list version,
    /// shared by every service of this process.
    public var memberPages: MemberPageCache
    /// How many sign-in attempts one client address gets.
    public var signInLimits: SignInLimits

    public init(
        clock: CrewClock = .live, sealer: SecretSealer, plans: PlanCatalog = .defaults,
        passwordHasher: PasswordHasher = PasswordHasher(cost: 12),
        sessionLifetime: TimeInterval = 30 * 24 * 3600, publicURL: String,
        memberPages: MemberPageCache = MemberPageCache(), signInLimits: SignInLimits = SignInLimits()
    ) {
        self.clock = clock
        self.sealer = sealer
        self.plans = plans
        self.passwordHasher = passwordHasher
        self.sessionLifetime = sessionLifetime
        self.publicURL = publicURL
        self.memberPages = memberPages
        self.signInLimits = signInLimits
    }
}
