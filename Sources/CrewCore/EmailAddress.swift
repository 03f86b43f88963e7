/// A normalised email address: trimmed, lower-cased, and plausibly deliverable.
///
/// Validation is deliberately simple (one `@`, a dotted domain, no spaces or
/// control characters) because the only real test is delivering mail; but it
/// must refuse anything that could inject headers into a message.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// - Parameters:
    ///   - raw: what the person typed.
    ///   - field: the request field, for the error.
    public init(_ raw: String, field: String = "email") throws(DomainError) {
        let trimmed = raw.trimmingWhitespace().lowercased()
        guard let normalised = Self.validated(trimmed) else {
            throw .invalid(field, "'\(raw.prefix(80))' is not a valid email address")
        }
        self.value = normalised
    }

    public var description: String { value }

    private static func validated(_ email: String) -> String? {
        guard email.utf8.count <= 254, !email.isEmpty else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty else { return nil }
        let forbidden: Set<Character> = [" ", "\t", "\r", "\n", "<", ">", "(", ")", ",", ";", ":", "\\", "\"", "[", "]"]
        guard !email.contains(where: { forbidden.contains($0) || $0.isASCIIControl }) else { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            return nil
        }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return nil }
        return email
    }
}

extension Character {
    var isASCIIControl: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii < 0x20 || ascii == 0x7F
    }
}

extension String {
    /// Trims spaces, tabs and newlines from both ends without Foundation.
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
