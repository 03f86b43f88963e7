import CrewCore
import Foundation

/// Sets of permissions, platforms and ids are stored as sorted comma-separated
/// text: one portable column on SQLite and PostgreSQL, compared as plain strings.
public enum CommaList {
    // Inlinable so callers get a specialized copy: unspecialized, the generic
    // set building was 7 % of a members page in profiles.
    @inlinable
    public static func decode<T: RawRepresentable & Hashable>(_ text: String) -> Set<T> where T.RawValue == String {
        Set(items(text).compactMap { T(rawValue: String($0)) })
    }

    /// The items of a list, split at the comma's byte: splitting at the
    /// `Character` walks grapheme boundaries (3 % of a members page).
    @inlinable
    static func items(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: ",")).map { Substring($0) }
    }

    @inlinable
    public static func encode<T: RawRepresentable>(_ values: some Sequence<T>) -> String where T.RawValue == String {
        values.map(\.rawValue).sorted().joined(separator: ",")
    }

    public static func decodeIDs(_ text: String) -> [UUID] {
        items(text).compactMap { UUID(parsing: $0) }
    }

    public static func encodeIDs(_ ids: [UUID]) -> String {
        ids.map(\.uuidString).sorted().joined(separator: ",")
    }
}
