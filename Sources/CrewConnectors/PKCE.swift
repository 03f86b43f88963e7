import CrewCore
import Crypto

/// Proof Key for Code Exchange (RFC 7636, method S256): the verifier stays
/// with Crew (sealed in the database), only its hash travels in the browser.
public struct PKCE: Sendable, Equatable {
    public let verifier: String
    public var challenge: String { Self.challenge(for: verifier) }

    public init(verifier: String = SecureToken.generate()) {
        self.verifier = verifier
    }

    /// BASE64URL(SHA256(verifier)), as the authorization server recomputes it.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(verifier.utf8)))
    }
}
