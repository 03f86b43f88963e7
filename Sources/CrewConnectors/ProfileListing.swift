import Foundation

/// Where a platform lists what a grant reaches and how to read it: a GET that
/// answers JSON, a path to the list (or to one object), and the keys of id and name.
public struct ProfileListing: Sendable, Equatable {
    public var url: String
    /// Keys leading to the array of profiles; when the value at the end is an
    /// object instead, the grant reaches exactly that one profile.
    public var itemsPath: [String]
    public var idKey: [String]
    /// Tried in order; the first non-empty string names the profile.
    public var nameKeys: [[String]]

    public init(url: String, itemsPath: [String], idKey: [String] = ["id"], nameKeys: [[String]]) {
        self.url = url
        self.itemsPath = itemsPath
        self.idKey = idKey
        self.nameKeys = nameKeys
    }

    /// Reads profiles from the platform's answer.
    public func parse(_ object: [String: Any]) throws(ConnectorError) -> [PlatformProfile] {
        let target: Any? = itemsPath.isEmpty ? object : Self.value(at: itemsPath, in: object)
        let items: [[String: Any]]
        if let list = target as? [[String: Any]] {
            items = list
        } else if let single = target as? [String: Any] {
            items = [single]
        } else {
            throw .malformedResponse("no profile list at \(itemsPath.joined(separator: "."))")
        }
        return try items.map { item throws(ConnectorError) in
            let idValue = Self.value(at: idKey, in: item)
            guard let id = (idValue as? String) ?? (idValue as? NSNumber)?.stringValue, !id.isEmpty else {
                throw .malformedResponse("a profile has no \(idKey.joined(separator: "."))")
            }
            let name = nameKeys.lazy.compactMap { Self.value(at: $0, in: item) as? String }.first { !$0.isEmpty } ?? id
            return PlatformProfile(externalID: id, name: name)
        }
    }

    static func value(at path: [String], in object: [String: Any]) -> Any? {
        var current: Any? = object
        for key in path {
            if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                current = (current as? [String: Any])?[key]
            }
        }
        return current
    }
}
