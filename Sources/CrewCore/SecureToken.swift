import Crypto

import Foundation

/// Bearer secrets: 256 random bits, shown once as base64url, stored only as SHA-256.
public enum SecureToken {
    /// Bytes of randomness in every token.
    public static let byteCount = 32
    /// Length of the base64url text of `byteCount` bytes without padding.
    public static let textLength = 43

    /// A fresh token from the system's cryptographic generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(bytes)
    }

    /// The lowercase hex SHA-256 of the token text, the only form that is stored.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).hexString
    }

    /// Whether the text could be a token at all (right length and alphabet), so
    /// garbage is refused before touching the database.
    public static func isWellFormed(_ token: some StringProtocol) -> Bool {
        token.utf8.count == textLength && token.utf8.allSatisfy(Base64URL.isAlphabet)
    }

    /// A short, non-reversible fingerprint for logs and audit rows.
    public static func fingerprint(_ token: String) -> String {
        String(hash(token).prefix(12))
    }
}

/// base64url without padding (RFC 4648 §5).
public enum Base64URL {
    // Byte by byte: Foundation's replacingOccurrences bridges through NSString and
    // was a tenth of the CPU of a bulk removal (sealed mail bodies), see bench/NOTES.md.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let standard = Data(bytes).base64EncodedData()
        var out: [UInt8] = []
        out.reserveCapacity(standard.count)
        for byte in standard {
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var standard = text.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(standard)).map(Array.init)
    }

    static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2D || byte == 0x5F
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal text of the bytes.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest {
    var hexString: String { Array(self).hexString }
}

/// Compares secrets without leaking their common prefix length through timing.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<x.count { difference |= x[i] ^ y[i] }
    return difference == 0
}
