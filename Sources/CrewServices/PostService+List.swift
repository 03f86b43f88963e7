import CrewCore
import CrewStore
import FluentKit
import Foundation

/// Listing posts for the list and the calendar, and turning rows into views.
extension PostService {
    /// Posts the caller may see, by scheduled time (drafts without a time by
    /// creation), keyset-paged.
    public func list(_ access: WorkspaceAccess, _ filter: PostFilter, limit: PageSize, cursor: String?, on db: any Database) async throws -> Page<PostView> {
        var query = try await visibleQuery(access, filter, on: db)
        if let cursor {
            let after = try KeysetCursor(decoding: cursor)
            query = query.group(.or) { group in
                group.filter(\.$sortAt > after.time).group(.and) { $0.filter(\.$sortAt == after.time).filter(\.$id > after.id) }
            }
        }
        let rows = try await query.sort(\.$sortAt).sort(\.$id).limit(limit.value + 1).all()
        let (pageRows, next) = KeysetCursor.page(rows, limit: limit.value) { KeysetCursor(time: $0.sortAt, id: $0.id!) }
        return Page(items: try await views(of: pageRows, for: access, on: db), nextCursor: next)
    }

    /// Every post in a time window (a calendar month or week), at most `cap`;
    /// `truncated` says there were more.
    public func window(_ access: WorkspaceAccess, _ filter: PostFilter, cap: Int = 5_000, on db: any Database) async throws -> (posts: [PostView], truncated: Bool) {
        let rows = try await visibleQuery(access, filter, on: db).sort(\.$sortAt).sort(\.$id).limit(cap + 1).all()
        return (try await views(of: Array(rows.prefix(cap)), for: access, on: db), rows.count > cap)
    }

    private func visibleQuery(_ access: WorkspaceAccess, _ filter: PostFilter, on db: any Database) async throws -> QueryBuilder<PostModel> {
        var query = PostModel.query(on: db).filter(\.$workspaceID == access.workspaceID)
        if let accountID = filter.accountID {
            _ = try await visibleAccount(access, accountID, on: db)
            query = query.filter(\.$accountID == accountID)
        } else if let assigned = try await access.assignedAccountIDs(on: db) {
            query = query.filter(\.$accountID ~~ assigned)
        }
        if access.role == .client {
            let shared = PostStatus.sharedWithClients.map(\.rawValue)
            let me = access.userID
            query = query.group(.or) { $0.filter(\.$statusText ~~ shared).filter(\.$authorUserID == me) }
        }
        if !filter.statuses.isEmpty { query = query.filter(\.$statusText ~~ filter.statuses.map(\.rawValue)) }
        if let from = filter.from { query = query.filter(\.$sortAt >= from) }
        if let to = filter.to { query = query.filter(\.$sortAt <= to) }
        return query
    }

    /// Views of rows, with account and people names loaded once per page.
    func views(of rows: [PostModel], for access: WorkspaceAccess, on db: any Database) async throws -> [PostView] {
        guard !rows.isEmpty else { return [] }
        let accountIDs = Array(Set(rows.map(\.accountID)))
        let accounts = Dictionary(
            try await SocialAccountModel.query(on: db).filter(\.$id ~~ accountIDs).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let userIDs = Set(rows.flatMap { [$0.authorUserID, $0.approvedByUserID, $0.clientApprovedByUserID].compactMap { $0 } })
        let people = try await PeopleInSight.of(access, on: db).people(userIDs, on: db)
        func person(_ id: UUID?) -> PersonRef? { id.map { people[$0] ?? PersonRef(userId: nil, name: PeopleInSight.formerName) } }
        return rows.map { row in
            let account = accounts[row.accountID]
            return PostView(
                id: row.id!.apiString, batchId: row.batchID.apiString,
                account: AccountRef(id: row.accountID.apiString, name: account?.name ?? "", platform: account?.platform ?? ""),
                author: person(row.authorUserID)!, text: row.text, link: row.link, mediaUrls: row.mediaURLs, status: row.status,
                scheduledAt: row.scheduledAt, timeZone: row.timeZone, approvedBy: person(row.approvedByUserID), approvedAt: row.approvedAt,
                clientApprovedBy: person(row.clientApprovedByUserID), clientApprovedAt: row.clientApprovedAt, publishedAt: row.publishedAt,
                externalUrl: row.externalURL, failureDetail: row.failureDetail, attempts: row.attempts, createdAt: row.createdAt,
                updatedAt: row.updatedAt, actions: actions(on: row, for: access))
        }
    }

    /// What the caller may do with the post now (assigned accounts only reach here).
    func actions(on post: PostModel, for access: WorkspaceAccess) -> [PostAction] {
        let isAuthor = post.authorUserID == access.userID
        let facts = access.facts
        func allowed(_ check: () throws(DomainError) -> Void) -> Bool {
            do { try check(); return true } catch { return false }
        }
        var actions: [PostAction] = []
        if allowed({ () throws(DomainError) in try PostWorkflow.edit(actor: facts, isAuthor: isAuthor, status: post.status) }) {
            actions.append(.edit)
            if allowed({ () throws(DomainError) in try PostWorkflow.checkSubmittable(post.status) }) { actions.append(.submit) }
        }
        if allowed({ () throws(DomainError) in
            _ = try PostWorkflow.approve(actor: facts, isAuthor: isAuthor, status: post.status, clientApproverExists: false)
        }) {
            actions += [.approve, .reject]
        }
        if allowed({ () throws(DomainError) in try PostWorkflow.requestClientApproval(actor: facts, isAuthor: isAuthor, status: post.status) }) {
            actions.append(.requestClientApproval)
        }
        if Policy.decide(facts, .commentOnPosts, accountAssigned: true).isAllowed { actions.append(.comment) }
        return actions
    }
}
