import CrewCore
import CrewStore
import Foundation

/// A conversation as the inbox list shows it.
public struct ConversationView: Codable, Sendable, Equatable {
    /// `memberId` is absent for a member the caller may not see.
    public struct Assignee: Codable, Sendable, Equatable {
        public var memberId: String?
        public var name: String
    }

    public var id: String
    public var account: AccountRef
    public var participant: String
    public var status: String
    public var unread: Bool
    public var assignedTo: Assignee?
    public var lastMessageAt: Date
    public var lastMessagePreview: String
    /// What the caller may do: `reply` (and assign, close) needs `manage_inbox` for editors and clients.
    public var canReply: Bool
}

/// One message of a conversation.
public struct MessageView: Codable, Sendable, Equatable {
    public var id: String
    public var author: String
    public var fromProfile: Bool
    public var text: String
    public var sentAt: Date
    /// The person who sent a reply through Crew.
    public var sentBy: PersonRef?
}

/// A conversation with its messages, oldest first.
public struct ConversationDetailView: Codable, Sendable, Equatable {
    public var conversation: ConversationView
    public var messages: [MessageView]
}

/// `GET inbox/conversations` filters.
public struct ConversationFilter: Sendable {
    public enum Assignment: Sendable, Equatable {
        case me, nobody
        case member(UUID)
    }

    public var status: String?
    public var unreadOnly: Bool
    public var assignment: Assignment?
    public var accountID: UUID?

    public init(status: String? = "open", unreadOnly: Bool = false, assignment: Assignment? = nil, accountID: UUID? = nil) {
        self.status = status
        self.unreadOnly = unreadOnly
        self.assignment = assignment
        self.accountID = accountID
    }

    /// Parses `?status=open|closed|all&unread=true&assigned=me|none|<memberId>&accountId=`.
    public init(status: String?, unread: String?, assigned: String?, accountId: String?) throws(DomainError) {
        var errors: [FieldError] = []
        let status = status ?? "open"
        if !["open", "closed", "all"].contains(status) { errors.append(FieldError(field: "status", message: "must be open, closed or all")) }
        if let unread, !["true", "false"].contains(unread) { errors.append(FieldError(field: "unread", message: "must be true or false")) }
        var assignment: Assignment? = nil
        switch assigned {
        case nil: break
        case "me": assignment = .me
        case "none": assignment = Assignment.nobody
        case .some(let text):
            if let id = UUID(uuidString: text) { assignment = .member(id) } else { errors.append(FieldError(field: "assigned", message: "must be me, none or a member id")) }
        }
        var account: UUID? = nil
        if let accountId {
            if let id = UUID(uuidString: accountId) { account = id } else { errors.append(FieldError(field: "accountId", message: "is not an id")) }
        }
        guard errors.isEmpty else { throw .validationFailed(errors) }
        self.init(status: status == "all" ? nil : status, unreadOnly: unread == "true", assignment: assignment, accountID: account)
    }
}

/// What a conversation edit changes: status (`open`/`closed`) and the assignee
/// (a member id, or "" to unassign).
public struct ConversationPatch: Sendable {
    public var status: String?
    public var assignedTo: String?

    public init(status: String? = nil, assignedTo: String? = nil) {
        self.status = status
        self.assignedTo = assignedTo
    }
}
