import Foundation

/// Parses an opaque id from a path or body; ids that cannot exist are "not found",
/// never a validation error, so probing reveals nothing.
public func parseID(_ text: String?) throws(DomainError) -> UUID {
    guard let text, let id = UUID(uuidString: text) else { throw .notFound() }
    return id
}

extension UUID {
    /// The id as it appears in the API: lowercase.
    public var apiString: String { uuidString.lowercased() }
}
