import CrewConnectors
import CrewCore
import CrewStore
import FluentKit
import Foundation
import Logging

/// The social inbox (DESIGN §5): conversations pulled from each account's
/// platform (`store(_:for:)`, called by `PlatformSync`), listed, read, replied
/// to through the connector, assigned and closed. Readable on assigned
/// accounts by managers and above, and by editors and clients with `manage_inbox`.
public struct InboxService: Sendable {
    let env: CrewEnvironment
    let connectors: ConnectorRegistry
    let tokens: AccountTokenRefresher

    public init(env: CrewEnvironment, connectors: ConnectorRegistry) {
        self.env = env
        self.connectors = connectors
        self.tokens = AccountTokenRefresher(env: env, connectors: connectors)
    }

    // MARK: Reading

    /// Conversations, newest activity first, keyset-paged.
    public func list(_ access: WorkspaceAccess, _ filter: ConversationFilter, limit: PageSize, cursor: String?, on db: any Database) async throws -> Page<ConversationView> {
        var query = ConversationModel.query(on: db).filter(\.$workspaceID == access.workspaceID)
        if let accountID = filter.accountID {
            _ = try await readableAccount(access, accountID, on: db)
            query = query.filter(\.$accountID == accountID)
        } else {
            try access.require(.readInbox, accountAssigned: true)
            if let assigned = try await access.assignedAccountIDs(on: db) { query = query.filter(\.$accountID ~~ assigned) }
        }
        if let status = filter.status { query = query.filter(\.$status == status) }
        if filter.unreadOnly { query = query.filter(\.$unread == true) }
        switch filter.assignment {
        case nil: break
        case .me: query = query.filter(\.$assignedMembershipID == access.membershipID)
        case .nobody: query = query.filter(\.$assignedMembershipID == nil)
        case .member(let id): query = query.filter(\.$assignedMembershipID == id)
        }
        if let cursor {
            let after = try KeysetCursor(decoding: cursor)
            query = query.group(.or) { group in
                group.filter(\.$lastMessageAt < after.time).group(.and) { $0.filter(\.$lastMessageAt == after.time).filter(\.$id < after.id) }
            }
        }
        let rows = try await query.sort(\.$lastMessageAt, .descending).sort(\.$id, .descending).limit(limit.value + 1).all()
        let (pageRows, next) = KeysetCursor.page(rows, limit: limit.value) { KeysetCursor(time: $0.lastMessageAt, id: $0.id!) }
        return Page(items: try await views(of: pageRows, for: access, on: db), nextCursor: next)
    }

    public func get(_ access: WorkspaceAccess, conversationID: UUID, on db: any Database) async throws -> ConversationDetailView {
        let conversation = try await readable(access, conversationID, on: db)
        let messages = try await ConversationMessageModel.query(on: db).filter(\.$conversationID == conversationID)
            .sort(\.$sentAt).sort(\.$id).all()
        let people = try await PeopleInSight.of(access, on: db).people(messages.compactMap(\.sentByUserID), on: db)
        return ConversationDetailView(
            conversation: try await views(of: [conversation], for: access, on: db)[0],
            messages: messages.map { message in
                MessageView(
                    id: message.id!.apiString, author: message.author, fromProfile: message.fromProfile, text: message.text, sentAt: message.sentAt,
                    sentBy: message.sentByUserID.flatMap { people[$0] })
            })
    }

    /// Marks a conversation read (opening it in the web UI does this).
    public func markRead(_ access: WorkspaceAccess, conversationID: UUID, on db: any Database) async throws {
        let conversation = try await readable(access, conversationID, on: db)
        guard conversation.unread else { return }
        conversation.unread = false
        try await conversation.update(on: db)
    }

    // MARK: Acting

    /// Sends a reply through the platform, then records it.
    public func reply(_ access: WorkspaceAccess, conversationID: UUID, text: String, on db: any Database, logger: Logger) async throws -> MessageView {
        let conversation = try await readable(access, conversationID, on: db)
        try access.require(.replyInbox, accountAssigned: true)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 2_000 else { throw DomainError.invalid("text", "must be 1 to 2000 characters") }
        guard let account = try await SocialAccountModel.find(conversation.accountID, on: db), let profile = account.externalID,
            let platform = Platform(rawValue: account.platform), let connector = connectors.connector(for: platform)
        else { throw DomainError.conflict("This account is not connected to its platform.") }
        let credentials = try await tokens.usableTokens(of: account, on: db, logger: logger)
        let sent: PlatformConversation.Message
        do {
            sent = try await connector.reply(trimmed, conversationID: conversation.externalID, profileID: profile, tokens: credentials)
        } catch let error as ConnectorError {
            throw DomainError.platformFailed(error.describe(platform: account.platform))
        }
        let message = ConversationMessageModel()
        message.conversationID = conversationID
        message.externalID = sent.externalID
        message.author = sent.author
        message.fromProfile = true
        message.text = sent.text
        message.sentAt = sent.sentAt
        message.sentByUserID = access.userID
        try await db.writeTransaction { tx in
            try await message.create(on: tx)
            conversation.lastMessageAt = max(conversation.lastMessageAt, sent.sentAt)
            conversation.lastMessagePreview = String(sent.text.prefix(140))
            conversation.unread = false
            conversation.updatedAt = env.clock.now
            try await conversation.update(on: tx)
        }
        return MessageView(
            id: message.id!.apiString, author: message.author, fromProfile: true, text: message.text, sentAt: message.sentAt,
            sentBy: PersonRef(userId: access.userID.apiString, name: access.actor.name))
    }

    /// Closes, reopens or (un)assigns a conversation.
    public func update(_ access: WorkspaceAccess, conversationID: UUID, _ patch: ConversationPatch, on db: any Database) async throws -> ConversationView {
        let conversation = try await readable(access, conversationID, on: db)
        try access.require(.replyInbox, accountAssigned: true)
        if let status = patch.status {
            guard ["open", "closed"].contains(status) else { throw DomainError.invalid("status", "must be open or closed") }
            conversation.status = status
        }
        if let assignee = patch.assignedTo {
            conversation.assignedMembershipID = assignee.isEmpty ? nil : try await inboxMember(assignee, for: conversation, in: access, on: db)
        }
        conversation.updatedAt = env.clock.now
        try await conversation.update(on: db)
        return try await views(of: [conversation], for: access, on: db)[0]
    }

    /// A member who can work this conversation's inbox; 422 otherwise.
    private func inboxMember(_ text: String, for conversation: ConversationModel, in access: WorkspaceAccess, on db: any Database) async throws -> UUID {
        guard let id = UUID(uuidString: text), let member = try await MembershipModel.find(id, on: db), member.workspaceID == access.workspaceID else {
            throw DomainError.invalid("assignedTo", "is not a member of this workspace")
        }
        let facts = MemberFacts(role: member.role, permissions: member.permissions, allowedPlatforms: member.allowedPlatforms)
        var assigned = member.role == .owner || member.role == .admin
        if !assigned {
            assigned = try await AccountGrantModel.query(on: db).filter(\.$membershipID == id).filter(\.$accountID == conversation.accountID).first() != nil
        }
        guard Policy.decide(facts, .replyInbox, accountAssigned: assigned).isAllowed else {
            throw DomainError.invalid("assignedTo", "this member cannot work this account's inbox")
        }
        return id
    }

    // MARK: Helpers

    /// The account if assigned (else 404) and its inbox readable by the caller (else 403).
    func readableAccount(_ access: WorkspaceAccess, _ accountID: UUID, on db: any Database) async throws -> SocialAccountModel {
        guard let account = try await SocialAccountModel.find(accountID, on: db), account.workspaceID == access.workspaceID,
            try await access.isAssigned(accountID, on: db)
        else { throw DomainError.notFound("No such social account.") }
        try access.require(.readInbox, accountAssigned: true)
        return account
    }

    func readable(_ access: WorkspaceAccess, _ conversationID: UUID, on db: any Database) async throws -> ConversationModel {
        guard let conversation = try await ConversationModel.find(conversationID, on: db), conversation.workspaceID == access.workspaceID,
            try await access.isAssigned(conversation.accountID, on: db)
        else { throw DomainError.notFound("No such conversation.") }
        try access.require(.readInbox, accountAssigned: true)
        return conversation
    }

    func views(of rows: [ConversationModel], for access: WorkspaceAccess, on db: any Database) async throws -> [ConversationView] {
        guard !rows.isEmpty else { return [] }
        let accounts = Dictionary(
            try await SocialAccountModel.query(on: db).filter(\.$id ~~ Array(Set(rows.map(\.accountID)))).all().map { ($0.id!, $0) },
            uniquingKeysWith: { a, _ in a })
        let assignees = try await PeopleInSight.of(access, on: db).assignees(rows.compactMap(\.assignedMembershipID), on: db)
        let canReply = Policy.decide(access.facts, .replyInbox, accountAssigned: true).isAllowed
        return rows.map { row in
            let account = accounts[row.accountID]
            return ConversationView(
                id: row.id!.apiString, account: AccountRef(id: row.accountID.apiString, name: account?.name ?? "", platform: account?.platform ?? ""),
                participant: row.participant, status: row.status, unread: row.unread,
                assignedTo: row.assignedMembershipID.flatMap { assignees[$0] },
                lastMessageAt: row.lastMessageAt, lastMessagePreview: row.lastMessagePreview, canReply: canReply)
        }
    }

    // MARK: Sync

    /// Stores what the platform lists: new conversations and new messages. A
    /// new message from the participant marks the conversation unread and
    /// reopens it if it was closed.
    /// - Returns: how many messages were new.
    @discardableResult
    public func store(_ pulled: [PlatformConversation], for account: SocialAccountModel, on db: any Database) async throws -> Int {
        guard !pulled.isEmpty else { return 0 }
        let now = env.clock.now
        let existing = Dictionary(
            try await ConversationModel.query(on: db).filter(\.$accountID == account.id!).filter(\.$externalID ~~ pulled.map(\.externalID)).all()
                .map { ($0.externalID, $0) }, uniquingKeysWith: { a, _ in a })
        var added = 0
        for item in pulled {
            added += try await db.writeTransaction { tx -> Int in
                let conversation = existing[item.externalID] ?? ConversationModel()
                if conversation.id == nil {
                    conversation.workspaceID = account.workspaceID
                    conversation.accountID = account.id!
                    conversation.externalID = item.externalID
                    conversation.participant = item.participant
                    conversation.status = "open"
                    conversation.unread = false
                    conversation.lastMessageAt = item.messages.first?.sentAt ?? now
                    conversation.lastMessagePreview = ""
                    conversation.createdAt = now
                    conversation.updatedAt = now
                    try await conversation.create(on: tx)
                }
                let known = Set(
                    try await ConversationMessageModel.query(on: tx).filter(\.$conversationID == conversation.id!)
                        .filter(\.$externalID ~~ item.messages.map(\.externalID)).all().map(\.externalID))
                let fresh = item.messages.filter { !known.contains($0.externalID) }
                guard !fresh.isEmpty else { return 0 }
                for message in fresh {
                    let row = ConversationMessageModel()
                    row.conversationID = conversation.id!
                    row.externalID = message.externalID
                    row.author = message.author
                    row.fromProfile = message.fromProfile
                    row.text = message.text
                    row.sentAt = message.sentAt
                    try await row.create(on: tx)
                }
                if let newest = fresh.max(by: { $0.sentAt < $1.sentAt }), newest.sentAt >= conversation.lastMessageAt {
                    conversation.lastMessageAt = newest.sentAt
                    conversation.lastMessagePreview = String(newest.text.prefix(140))
                }
                if fresh.contains(where: { !$0.fromProfile }) {
                    conversation.unread = true
                    conversation.status = "open"
                }
                conversation.updatedAt = now
                try await conversation.update(on: tx)
                return fresh.count
            }
        }
        return added
    }
}
