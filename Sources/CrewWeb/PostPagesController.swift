import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import Hummingbird

/// The Posts pages: a month or week calendar and a list with filters, the
/// composer, and one post with its approval actions and comments. Every
/// control shown is one the server would accept (`PostView.actions`).
public struct PostPagesController: Sendable {
    let services: HTTPServices
    let web: WebController
    let team: TeamPagesController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.web = WebController(services: services, pages: pages)
        self.team = TeamPagesController(services: services, pages: pages)
    }

    struct ComposeForm: Decodable {
        var accountIds: [String]?
        var text: String?
        var link: String?
        var scheduledAt: String?
        var timeZone: String?
        var intent: String?

        /// The chosen time zone; nil when the field was left empty.
        var zone: String? { (timeZone ?? "").isEmpty ? nil : timeZone }

        /// The `datetime-local` value read in `zone`; nil when the field was left empty.
        func instant(in zone: String) throws(DomainError) -> Date? {
            guard let local = scheduledAt, !local.isEmpty else { return nil }
            guard let parsed = PostSchedule.instant(local: local, timeZone: zone) else { throw .invalid("scheduledAt", "is not a date and time") }
            return parsed
        }
    }

    struct CommentForm: Decodable {
        var text: String?
        var `internal`: String?
    }

    public func register(on router: Router<AppRequestContext>) {
        let posts = services.posts
        router.get("w/:wid/posts") { request, context in try await postsPage(request, context) }
        router.get("w/:wid/posts/:pid") { request, context in try await postPage(request, context) }
        router.post("w/:wid/posts") { request, context in
            try await team.action(context, back: "posts") { access, db in
                let form = try await WebController.form(ComposeForm.self, request, context)
                let zone = form.zone ?? "UTC"
                let at = try form.instant(in: zone)
                let created = try await posts.create(
                    access,
                    PostDraft(accountIds: form.accountIds ?? [], text: form.text ?? "", link: form.link, scheduledAt: at, timeZone: zone, submit: form.intent == "submit"),
                    on: db)
                let status = created.first?.status.rawValue.replacingOccurrences(of: "_", with: " ") ?? ""
                return created.count == 1 ? "Post saved (\(status))." : "\(created.count) posts saved (\(status))."
            }
        }
        for (name, verb) in [("approve", "approved"), ("submit", "submitted"), ("request-client-approval", "sent to the client")] {
            router.post("w/:wid/posts/:pid/\(name)") { _, context in
                let pid = try parseID(context.parameters.get("pid"))
                return try await team.action(context, back: "posts/\(pid.apiString)") { access, db in
                    let post: PostView
                    switch name {
                    case "approve": post = try await posts.approve(access, postID: pid, on: db)
                    case "submit": post = try await posts.submit(access, postID: pid, on: db)
                    default: post = try await posts.requestClientApproval(access, postID: pid, on: db)
                    }
                    return "Post \(verb); it is now \(post.status.rawValue.replacingOccurrences(of: "_", with: " "))."
                }
            }
        }
        router.post("w/:wid/posts/:pid/reject") { request, context in
            let pid = try parseID(context.parameters.get("pid"))
            return try await team.action(context, back: "posts/\(pid.apiString)") { access, db in
                let form = try await WebController.form(CommentForm.self, request, context)
                _ = try await posts.reject(access, postID: pid, comment: form.text ?? "", internal: form.internal == "on", on: db)
                return "Sent back for changes."
            }
        }
        router.post("w/:wid/posts/:pid/comments") { request, context in
            let pid = try parseID(context.parameters.get("pid"))
            return try await team.action(context, back: "posts/\(pid.apiString)") { access, db in
                let form = try await WebController.form(CommentForm.self, request, context)
                _ = try await posts.comment(access, postID: pid, text: form.text ?? "", internal: form.internal == "on", on: db)
                return "Comment added."
            }
        }
        router.post("w/:wid/posts/:pid/edit") { request, context in
            let pid = try parseID(context.parameters.get("pid"))
            return try await team.action(context, back: "posts/\(pid.apiString)") { access, db in
                let form = try await WebController.form(ComposeForm.self, request, context)
                let zone = form.zone
                let at = try form.instant(in: zone ?? "UTC")
                let post = try await posts.update(access, postID: pid, PostPatch(text: form.text, link: form.link ?? "", scheduledAt: at, timeZone: zone), on: db)
                return "Saved; the post is \(post.status.rawValue.replacingOccurrences(of: "_", with: " "))."
            }
        }
    }

    // MARK: Pages

    private func postsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        let db = services.db(context)
        let query = request.uri.queryParameters
        let view = ["week", "list"].contains(query["view"].map(String.init) ?? "") ? String(query["view"]!) : "month"
        let calendar = CalendarGrid(view: view, anchor: query["date"].flatMap { Day(String($0)) } ?? Day(services.env.clock.now))
        let filter = try PostFilter(
            status: query["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 },
            accountId: query["accountId"].map(String.init).flatMap { $0.isEmpty ? nil : $0 },
            from: view == "list" ? nil : calendar.first.description, to: view == "list" ? nil : calendar.last.description)
        let accounts = try await services.socialAccounts.list(access, status: nil, limit: try PageSize("200"), cursor: nil, on: db).items
        var rows: [PostRow] = []
        var days: [CalendarGrid.Cell] = []
        var nextCursor: String? = nil
        if view == "list" {
            let page = try await services.posts.list(access, filter, limit: try PageSize("50"), cursor: query["cursor"].map(String.init), on: db)
            rows = page.items.map(PostRow.init)
            nextCursor = page.nextCursor
        } else {
            let window = try await services.posts.window(access, filter, on: db)
            days = calendar.cells(with: window.posts.map(PostRow.init))
        }
        let chrome = try await web.chrome(context, title: "Posts", currentWorkspace: access.workspaceID.apiString, request: request)
        let canCreate = Policy.decide(access.facts, .createPosts, accountAssigned: true).isAllowed && !accounts.isEmpty
        let status = query["status"].map(String.init) ?? ""
        let accountID = query["accountId"].map(String.init) ?? ""
        let model = PostsPageModel(
            page: chrome, workspaceID: access.workspaceID.apiString, view: view, isList: view == "list", title: calendar.title,
            previous: calendar.previous.description, next: calendar.next.description, anchor: calendar.anchor.description,
            weekdays: CalendarGrid.weekdays, weeks: stride(from: 0, to: days.count, by: 7).map { CalendarGrid.Week(days: Array(days[$0..<min($0 + 7, days.count)])) },
            rows: rows, hasRows: !rows.isEmpty, nextCursor: nextCursor, canCreate: canCreate,
            accounts: accounts.map { Option(value: $0.id, label: "\($0.name) (\($0.platform))", selected: $0.id == accountID) },
            statuses: PostStatus.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " "), selected: $0.rawValue == status) },
            status: status, accountId: accountID, timeZones: ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"])
        return web.pages.render("posts", model)
    }

    private func postPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        let db = services.db(context)
        let pid = try parseID(context.parameters.get("pid"))
        let post = try await services.posts.get(access, postID: pid, on: db)
        let comments = try await services.posts.comments(access, postID: pid, on: db)
        let chrome = try await web.chrome(context, title: "Post", currentWorkspace: access.workspaceID.apiString, request: request)
        struct CommentRow { var author, text, when: String; var isInternal, isChangeRequest: Bool }
        struct Model {
            var page: PageChrome
            var workspaceID: String
            var post: PostRow
            var comments: [CommentRow]
            var canEdit, canSubmit, canApprove, canReject, canSendToClient, canComment, isTeam: Bool
            var localTime: String
        }
        let actions = Set(post.actions)
        let zone = TimeZone(identifier: post.timeZone) ?? .gmt
        return web.pages.render(
            "post",
            Model(
                page: chrome, workspaceID: access.workspaceID.apiString, post: PostRow(post),
                comments: comments.map {
                    CommentRow(author: $0.author.name, text: $0.text, when: TeamPagesController.dateText($0.createdAt), isInternal: $0.isInternal, isChangeRequest: $0.kind == "changes_requested")
                },
                canEdit: actions.contains(.edit), canSubmit: actions.contains(.submit), canApprove: actions.contains(.approve),
                canReject: actions.contains(.reject), canSendToClient: actions.contains(.requestClientApproval), canComment: actions.contains(.comment),
                isTeam: access.role != .client, localTime: post.scheduledAt.map { CalendarGrid.localInput($0, zone: zone) } ?? ""))
    }
}

/// A post as the pages show it.
struct PostRow {
    var id, text, excerpt, status, statusLabel, accountName, platform, authorName, timeText, timeZone: String
    var link: String?
    var externalUrl: String?
    var failureDetail: String?
    var approvedBy: String?
    var clientApprovedBy: String?
    var day: String

    init(_ post: PostView) {
        id = post.id
        text = post.text
        excerpt = post.text.count > 80 ? String(post.text.prefix(77)) + "…" : post.text
        status = post.status.rawValue
        statusLabel = post.status.rawValue.replacingOccurrences(of: "_", with: " ")
        accountName = post.account.name
        platform = post.account.platform
        authorName = post.author.name
        let zone = TimeZone(identifier: post.timeZone) ?? .gmt
        timeText = post.scheduledAt.map { CalendarGrid.localText($0, zone: zone) + " " + post.timeZone } ?? "not scheduled"
        timeZone = post.timeZone
        link = post.link
        externalUrl = post.externalUrl
        failureDetail = post.failureDetail
        approvedBy = post.approvedBy?.name
        clientApprovedBy = post.clientApprovedBy?.name
        day = Day(post.scheduledAt ?? post.createdAt).description
    }
}

struct Option {
    var value, label: String
    var selected: Bool
}

struct PostsPageModel {
    var page: PageChrome
    var workspaceID, view: String
    var isList: Bool
    var title, previous, next, anchor: String
    var weekdays: [String]
    var weeks: [CalendarGrid.Week]
    var rows: [PostRow]
    var hasRows: Bool
    var nextCursor: String?
    var canCreate: Bool
    var accounts: [Option]
    var statuses: [Option]
    var status, accountId: String
    var timeZones: [String]
}
