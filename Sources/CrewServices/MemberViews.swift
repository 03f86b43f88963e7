import CrewCore
import CrewStore
import Foundation
import Synchronization

/// A member as the API shows them (API.md). A client sees the team members on
/// their accounts by id, name and role only (`PeopleInSight`): the other
/// fields are then absent.
public struct MemberView: Codable, Sendable, Equatable {
    public var id: String
    public var userId: String
    public var email: String?
    public var name: String
    public var role: Role
    public var permissions: [ClientPermission]?
    public var allowedPlatforms: [Platform]?
    public var accountIds: [String]?
    public var countsAsSeat: Bool?
    public var joinedVia: String?
    public var joinedAt: Date?
    /// When the member's access ends (absent: never, or not the viewer's to see).
    public var accessUntil: Date?

    init(_ membership: MembershipModel, user: UserModel, accountIDs: [UUID]) {
        self.init(
            id: membership.id!, userID: membership.userID, email: user.email, name: user.name, role: membership.role,
            permissions: membership.permissions, allowedPlatforms: membership.allowedPlatforms, accountIDs: accountIDs,
            countsAsSeat: membership.countsAsSeat, joinedVia: membership.joinedVia, joinedAt: membership.joinedAt,
            accessUntil: membership.accessUntil)
    }

    init(
        id: UUID, userID: UUID, email: String, name: String, role: Role, permissions: Set<ClientPermission>, allowedPlatforms: Set<Platform>,
        accountIDs: [UUID], countsAsSeat: Bool, joinedVia: String, joinedAt: Date, accessUntil: Date?
    ) {
        self.accessUntil = accessUntil
        self.id = id.apiString
        self.userId = userID.apiString
        self.email = email
        self.name = name
        self.role = role
        self.permissions = permissions.sorted()
        self.allowedPlatforms = allowedPlatforms.sorted()
        self.accountIds = accountIDs.map(\.apiString).sorted()
        self.countsAsSeat = countsAsSeat
        self.joinedVia = joinedVia
        self.joinedAt = joinedAt
    }

    /// Only who the member is in the team, for a client's eyes.
    func limitedToNameAndRole() -> MemberView {
        var view = self
        view.email = nil
        view.permissions = nil
        view.allowedPlatforms = nil
        view.accountIds = nil
        view.countsAsSeat = nil
        view.joinedVia = nil
        view.joinedAt = nil
        view.accessUntil = nil
        return view
    }
}

/// A members-page row as the list's statement selects it.
struct MemberRow: PreparedRow {
    var id: RowID
    var user_id: RowID
    var email: String
    var name: String
    var role: String
    var permissions: String
    var allowed_platforms: String
    var counts_as_seat: Bool
    var joined_via: String
    var joined_at: Date
    var access_until: Date?
    /// Granted accounts as a comma list (NULL when none).
    var account_ids: String?

    init(reading columns: inout ColumnReader) throws {
        id = try columns.next("id")
        user_id = try columns.next("user_id")
        email = try columns.next("email")
        name = try columns.next("name")
        role = try columns.next("role")
        permissions = try columns.next("permissions")
        allowed_platforms = try columns.next("allowed_platforms")
        counts_as_seat = try columns.next("counts_as_seat")
        joined_via = try columns.next("joined_via")
        joined_at = try columns.next("joined_at")
        access_until = try columns.next("access_until")
        account_ids = try columns.next("account_ids")
    }

    /// Where the page after this row starts.
    var cursor: KeysetCursor { KeysetCursor(time: joined_at, id: id.uuid) }

    func view() -> MemberView {
        let permissions: Set<ClientPermission> = CommaList.decode(permissions)
        let platforms: Set<Platform> = CommaList.decode(allowed_platforms)
        return MemberView(
            id: id.uuid, userID: user_id.uuid, email: email, name: name, role: Role(rawValue: role) ?? .client, permissions: permissions,
            allowedPlatforms: platforms, accountIDs: account_ids.map(CommaList.decodeIDs) ?? [], countsAsSeat: counts_as_seat, joinedVia: joined_via, joinedAt: joined_at,
            accessUntil: access_until)
    }
}

/// One page of a list and the cursor of the next.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
    /// Set on a page that is served again as it is (`MemberPageCache`): the
    /// first request to encode it keeps the encoded form here for the rest.
    public var rendered: RenderedForm?

    public init(items: [Item], nextCursor: String?, rendered: RenderedForm? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.rendered = rendered
    }
}

/// What a page looks like once encoded for an answer, kept beside a page
/// that many requests share. The services never look inside: the HTTP layer
/// decides what it keeps (its response body).
public final class RenderedForm: Sendable {
    private let form = Mutex<(any Sendable)?>(nil)

    public init() {}

    public func get<Form: Sendable>(as type: Form.Type) -> Form? {
        form.withLock { $0 as? Form }
    }

    public func set(_ value: some Sendable) {
        form.withLock { $0 = value }
    }
}

/// An opaque keyset cursor: the sort key (a time) and id of the last row shown.
public struct KeysetCursor: Sendable, Equatable {
    public var time: Date
    public var id: UUID

    public init(time: Date, id: UUID) {
        self.time = time
        self.id = id
    }

    /// Cuts rows read with one more than `limit` into the page and the cursor
    /// of the next page (nil when the extra row was not there), at the last
    /// row's `key`.
    static func page<Row>(_ rows: [Row], limit: Int, key: (Row) -> KeysetCursor) -> (rows: [Row], next: String?) {
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last.map { key($0).encoded } : nil)
    }

    /// Before every member: where the first page starts.
    public static let beforeEveryone = KeysetCursor(time: .distantPast, id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))

    /// The time as `Date` keeps it (seconds since 2001, marked `r`), so the
    /// cursor binds exactly the value that was read; seconds since 1970 would
    /// come back an ulp apart and repeat or skip a row at the page boundary.
    public var encoded: String {
        Base64URL.encode(Array("r\(time.timeIntervalSinceReferenceDate)|\(id.uuidString)".utf8))
    }

    /// Parses a cursor from a query string; garbage is a validation error.
    /// Cursors written before the `r` mark (seconds since 1970) still parse.
    public init(decoding text: String) throws(DomainError) {
        guard let bytes = Base64URL.decode(text), let plain = String(bytes: bytes, encoding: .utf8) else {
            throw .invalid("cursor", "is not a cursor from this list")
        }
        let parts = plain.split(separator: "|")
        guard parts.count == 2, let id = UUID(parsing: parts[1]) else {
            throw .invalid("cursor", "is not a cursor from this list")
        }
        if parts[0].hasPrefix("r"), let seconds = Double(parts[0].dropFirst()), seconds.isFinite {
            self.time = Date(timeIntervalSinceReferenceDate: seconds)
        } else if let seconds = Double(parts[0]), seconds.isFinite {
            self.time = Date(timeIntervalSince1970: seconds)
        } else {
            throw .invalid("cursor", "is not a cursor from this list")
        }
        self.id = id
    }
}

/// `?limit=` as API.md says: default 50, at most 200.
public struct PageSize: Sendable {
    public let value: Int

    public init(_ text: String?) throws(DomainError) {
        guard let text else {
            self.value = 50
            return
        }
        guard let number = Int(text), (1...200).contains(number) else {
            throw .invalid("limit", "must be a number from 1 to 200")
        }
        self.value = number
    }

    /// A size chosen by the code (the export reads larger pages than the API gives).
    init(exactly value: Int) {
        self.value = value
    }
}

/// What a member edit may change (API.md PATCH members/{mid}); absent fields stay.
public struct MemberPatch: Sendable {
    public var role: String?
    public var permissions: [String]?
    public var allowedPlatforms: [String]?
    public var accountIds: [String]?
    /// A new end of access, or `.some(nil)` for none; absent (nil) leaves it.
    public var accessUntil: Date??

    public init(
        role: String? = nil, permissions: [String]? = nil, allowedPlatforms: [String]? = nil, accountIds: [String]? = nil,
        accessUntil: Date?? = nil
    ) {
        self.accessUntil = accessUntil
        self.role = role
        self.permissions = permissions
        self.allowedPlatforms = allowedPlatforms
        self.accountIds = accountIds
    }
}
