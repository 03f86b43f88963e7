/// A social platform a workspace can connect accounts from.
public enum Platform: String, Codable, Sendable, CaseIterable, Comparable {
    case facebook, instagram, x, linkedin, pinterest, tiktok, youtube
    case googleBusiness = "google_business"
    case threads, bluesky, mastodon, sandbox

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a list of platform ids, reporting every unknown one.
    public static func parseList(_ names: [String], field: String) throws(DomainError) -> Set<Platform> {
        try parseEnumList(names, field: field, kind: "platform")
    }
}

/// Parses raw values into a set, collecting one field error per unknown value.
func parseEnumList<T: RawRepresentable & Hashable & CaseIterable>(
    _ names: [String], field: String, kind: String
) throws(DomainError) -> Set<T> where T.RawValue == String {
    var result = Set<T>()
    var errors: [FieldError] = []
    for (index, name) in names.enumerated() {
        if let value = T(rawValue: name) {
            result.insert(value)
        } else {
            let known = T.allCases.map(\.rawValue).joined(separator: ", ")
            errors.append(FieldError(field: "\(field)[\(index)]", message: "unknown \(kind) '\(name)'; expected one of \(known)"))
        }
    }
    guard errors.isEmpty else { throw .validationFailed(errors) }
    return result
}
