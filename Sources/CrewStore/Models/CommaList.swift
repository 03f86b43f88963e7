import CrewCore
import Foundation

/// Sets of permissions, platforms and ids are stored as sorted comma-separated
/// text: one portable column on SQLite and PostgreSQL, compared as plain strings.
public enum CommaList {
    // Inlinable so callers get a specialized copy: unspecialized, the generic
    // set building was 7 % of a members page in profiles.
    @inlinable
    public static func decode<T: RawRepresentable & Hashable>(_ text: String) -> Set<T> where T.RawValue == String {
        Set(text.split(separator: ",").compactMap { T(rawValue: String($0)) })
    }

    @inlinable
    public static func encode<T: RawRepresentable>(_ values: some Sequence<T>) -> String where T.RawValue == String {
        values.map(\.rawValue).sorted().joined(separator: ",")
    }

    public static func decodeIDs(_ text: String) -> [UUID] {
        text.split(separator: ",").compactMap { UUID(parsing: $0) }
    }

    public static func encodeIDs(_ ids: [UUID]) -> String {
        ids.map(\.uuidString).sorted().joined(separator: ",")
    }
}
