import CrewCore
import CrewStore
import Foundation

/// A person as shown next to posts, comments and conversations. `userId` is
/// absent for a person the caller may not see (`PeopleInSight`).
public struct PersonRef: Codable, Sendable, Equatable {
    public var userId: String?
    public var name: String
}

/// An account as shown next to posts, conversations and metrics.
public struct AccountRef: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var platform: String
}

/// A post as the API shows it. `actions` lists what the caller may do with it
/// now, so clients (and the web UI) never offer a control the server refuses.
public struct PostView: Codable, Sendable, Equatable {
    public var id: String
    public var batchId: String
    public var account: AccountRef
    public var author: PersonRef
    public var text: String
    public var link: String?
    public var mediaUrls: [String]
    public var status: PostStatus
    public var scheduledAt: Date?
    public var timeZone: String
    public var approvedBy: PersonRef?
    public var approvedAt: Date?
    public var clientApprovedBy: PersonRef?
    public var clientApprovedAt: Date?
    public var publishedAt: Date?
    public var externalUrl: String?
    public var failureDetail: String?
    public var attempts: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var actions: [PostAction]
}

/// Things a person can do with a post, as listed in `PostView.actions`.
public enum PostAction: String, Codable, Sendable, CaseIterable {
    case edit, submit, approve, reject, comment
    case requestClientApproval = "request_client_approval"
}

/// A comment or approval note on a post.
public struct PostCommentView: Codable, Sendable, Equatable {
    public var id: String
    public var author: PersonRef
    public var text: String
    /// A team-only note (`internal` in JSON); clients never receive these.
    public var isInternal: Bool
    public var kind: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, author, text, kind, createdAt
        case isInternal = "internal"
    }

    init(_ row: PostCommentModel) {
        self.id = row.id!.apiString
        self.author = PersonRef(userId: row.authorUserID.apiString, name: row.authorName)
        self.text = row.text
        self.isInternal = row.isInternal
        self.kind = row.kind
        self.createdAt = row.createdAt
    }
}

/// The approval settings of a workspace.
public struct PostSettingsView: Codable, Sendable, Equatable {
    public var clientPostsNeedApproval: Bool
    public var unapprovedPosts: UnapprovedPostPolicy
}

/// What a create request carries (API and composer form alike).
public struct PostDraft: Sendable {
    public var accountIds: [String]
    public var text: String
    public var link: String?
    public var mediaUrls: [String]
    public var scheduledAt: Date?
    public var timeZone: String?
    /// Send it on its way (review or schedule) instead of keeping a draft.
    public var submit: Bool

    public init(accountIds: [String], text: String, link: String? = nil, mediaUrls: [String] = [], scheduledAt: Date? = nil, timeZone: String? = nil, submit: Bool = false) {
        self.accountIds = accountIds
        self.text = text
        self.link = link
        self.mediaUrls = mediaUrls
        self.scheduledAt = scheduledAt
        self.timeZone = timeZone
        self.submit = submit
    }
}

/// What an edit changes; absent fields stay. `link` set to "" removes it.
public struct PostPatch: Sendable {
    public var text: String?
    public var link: String?
    public var mediaUrls: [String]?
    public var scheduledAt: Date?
    public var timeZone: String?

    public init(text: String? = nil, link: String? = nil, mediaUrls: [String]? = nil, scheduledAt: Date? = nil, timeZone: String? = nil) {
        self.text = text
        self.link = link
        self.mediaUrls = mediaUrls
        self.scheduledAt = scheduledAt
        self.timeZone = timeZone
    }
}

/// `GET posts` filters.
public struct PostFilter: Sendable {
    public var statuses: Set<PostStatus>
    public var accountID: UUID?
    public var from: Date?
    public var to: Date?

    public init(statuses: Set<PostStatus> = [], accountID: UUID? = nil, from: Date? = nil, to: Date? = nil) {
        self.statuses = statuses
        self.accountID = accountID
        self.from = from
        self.to = to
    }

    /// Parses the query string: `status` (comma-separated), `accountId`, `from`, `to`
    /// (RFC 3339 times or `YYYY-MM-DD` days; `to` as a day includes that whole day).
    public init(status: String?, accountId: String?, from: String?, to: String?) throws(DomainError) {
        var errors: [FieldError] = []
        var statuses: Set<PostStatus> = []
        for part in (status ?? "").split(separator: ",") {
            if let parsed = PostStatus(rawValue: String(part)) {
                statuses.insert(parsed)
            } else {
                errors.append(FieldError(field: "status", message: "must be one or more of \(PostStatus.listHint)"))
                break
            }
        }
        var account: UUID? = nil
        if let accountId {
            if let id = UUID(uuidString: accountId) { account = id } else { errors.append(FieldError(field: "accountId", message: "is not an id")) }
        }
        let start = from.flatMap { Self.instant($0, endOfDay: false) }
        let end = to.flatMap { Self.instant($0, endOfDay: true) }
        if from != nil && start == nil { errors.append(FieldError(field: "from", message: "must be an RFC 3339 time or YYYY-MM-DD")) }
        if to != nil && end == nil { errors.append(FieldError(field: "to", message: "must be an RFC 3339 time or YYYY-MM-DD")) }
        if let start, let end, end < start { errors.append(FieldError(field: "to", message: "must not be before from")) }
        guard errors.isEmpty else { throw .validationFailed(errors) }
        self.init(statuses: statuses, accountID: account, from: start, to: end)
    }

    static func instant(_ text: String, endOfDay: Bool) -> Date? {
        if let day = Day(text) { return endOfDay ? day.adding(1).date.addingTimeInterval(-0.001) : day.date }
        return try? Date(text, strategy: .iso8601)
    }
}
