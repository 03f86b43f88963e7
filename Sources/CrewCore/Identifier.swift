import Foundation

/// Parses an opaque id from a path or body; ids that cannot exist are "not found",
/// never a validation error, so probing reveals nothing.
public func parseID(_ text: String?) throws(DomainError) -> UUID {
    guard let text, let id = UUID(parsing: text) else { throw .notFound() }
    return id
}

extension UUID {
    /// The id as it appears in the API: lowercase. Written byte by byte because
    /// Foundation's `uuidString` goes through `snprintf`, which showed in the
    /// profile of a members page (two ids a row, plus their grants).
    public var apiString: String { formatted(digits: Self.hexDigits) }

    /// The id in uppercase, exactly as Foundation's `uuidString` writes it
    /// (and SQLite keeps ids), without its `snprintf`.
    public var uppercaseString: String { formatted(digits: Self.upperHexDigits) }

    private func formatted(digits: [UInt8]) -> String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    out[at] = digits[Int(byte >> 4)]
                    out[at + 1] = digits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Parses the 8-4-4-4-12 hex form in either case, exactly what
    /// `UUID(uuidString:)` accepts, without its `sscanf` (SQLite hands every id
    /// back as text).
    public init?(parsing text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = text.utf8.withContiguousStorageIfAvailable { Self.parse($0, into: &bytes) }
            ?? Array(text.utf8).withUnsafeBufferPointer { Self.parse($0, into: &bytes) }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>, into bytes: inout uuid_t) -> Bool {
        guard utf8.count == 36 else { return false }
        return withUnsafeMutableBytes(of: &bytes) { out in
            var at = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard utf8[at] == UInt8(ascii: "-") else { return false }
                    at += 1
                }
                guard let high = nibble(utf8[at]), let low = nibble(utf8[at + 1]) else { return false }
                out[index] = high << 4 | low
                at += 2
            }
            return true
        }
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
