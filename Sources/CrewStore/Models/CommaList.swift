import CrewCore
import Foundation

/// Sets of permissions, platforms and ids are stored as sorted comma-separated
/// text: one portable column on SQLite and PostgreSQL, compared as plain strings.
public enum CommaList {
    // Inlinable so callers get a specialized copy: unspecialized, the generic
    // set building was 7 % of a members page in profiles.
    @inlinable
    public static func decode<T: RawRepresentable & Hashable>(_ text: String) -> Set<T> where T.RawValue == String {
        var values = Set<T>()
        forEachItem(text) { if let value = T(rawValue: String($0)) { values.insert(value) } }
        return values
    }

    /// Calls `body` with each non-empty item of a list, split at the comma's
    /// byte: splitting at the `Character` walks grapheme boundaries (3 % of a
    /// members page), and `split` built an array of pieces first (2 %).
    @inlinable
    static func forEachItem(_ text: String, _ body: (Substring) -> Void) {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: ",") {
                if start != index { body(Substring(utf8[start..<index])) }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        if start != index { body(Substring(utf8[start..<index])) }
    }

    @inlinable
    public static func encode<T: RawRepresentable>(_ values: some Sequence<T>) -> String where T.RawValue == String {
        values.map(\.rawValue).sorted().joined(separator: ",")
    }

    public static func decodeIDs(_ text: String) -> [UUID] {
        var ids: [UUID] = []
        forEachItem(text) { if let id = UUID(parsing: $0) { ids.append(id) } }
        return ids
    }

    public static func encodeIDs(_ ids: [UUID]) -> String {
        ids.map(\.uuidString).sorted().joined(separator: ",")
    }
}
