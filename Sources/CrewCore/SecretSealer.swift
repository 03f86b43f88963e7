import Crypto

import Foundation

/// Seals secrets (invite-link tokens, platform credentials) with AES-256-GCM
/// under the installation's key, which lives in configuration and never in the
/// database. Also derives keyed values (CSRF tokens) from the same key.
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// - Parameter keyText: 32 bytes as base64url or 64 hex digits.
    public init(keyText: String) throws(DomainError) {
        guard let bytes = Self.decodeKey(keyText), bytes.count == 32 else {
            throw .invalid("CREW_SECRET_KEY", "must be 32 bytes as 64 hex digits or 43 base64url characters")
        }
        self.key = SymmetricKey(data: bytes)
    }

    /// A new random key in the text form `init(keyText:)` accepts.
    public static func generateKeyText() -> String {
        SecureToken.generate()
    }

    /// Encrypts and authenticates `plaintext`; the result is base64url text safe to store.
    public func seal(_ plaintext: String) -> String {
        // AES.GCM.seal only throws for invalid nonce/key sizes, which we never produce.
        let box = try! AES.GCM.seal(Array(plaintext.utf8), using: key)
        return Base64URL.encode(box.combined!)
    }

    /// Opens what `seal` produced; `nil` when it was tampered with or sealed under another key.
    public func open(_ sealed: String) -> String? {
        guard let bytes = Base64URL.decode(sealed),
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let plain = try? AES.GCM.open(box, using: key)
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    /// HMAC-SHA256 of `message` under the key, as base64url.
    public func mac(_ message: String) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    private static func decodeKey(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.utf8.count == 64, trimmed.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var index = trimmed.startIndex
            while index < trimmed.endIndex {
                let next = trimmed.index(index, offsetBy: 2)
                bytes.append(UInt8(trimmed[index..<next], radix: 16)!)
                index = next
            }
            return bytes
        }
        return Base64URL.decode(trimmed)
    }
}
