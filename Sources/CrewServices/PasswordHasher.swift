import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing, always on the thread pool so a 250 ms hash never blocks an event loop.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    /// - Parameter cost: bcrypt's work factor; production uses 12, tests may lower it.
    public init(cost: UInt8) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of a password nobody knows, verified against when an email is unknown
    /// so a failed login takes as long whether or not the account exists.
    public func decoyHash() async throws -> String {
        try await hash("decoy-password-that-never-matches")
    }
}
