import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import Hummingbird

/// The Inbox page (conversation list, thread, reply box, assign and close) and
/// the Analytics page (account and range pickers, totals, SVG charts, CSV).
public struct InsightPagesController: Sendable {
    let services: HTTPServices
    let web: WebController
    let team: TeamPagesController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.web = WebController(services: services, pages: pages)
        self.team = TeamPagesController(services: services, pages: pages)
    }

    struct ReplyForm: Decodable { var text: String? }
    struct UpdateForm: Decodable { var status: String?; var assignedTo: String? }

    public func register(on router: Router<AppRequestContext>) {
        let inbox = services.inbox
        router.get("w/:wid/inbox") { request, context in try await inboxPage(request, context) }
        router.get("w/:wid/analytics") { request, context in try await analyticsPage(request, context) }
        router.post("w/:wid/inbox/:cid/reply") { request, context in
            let cid = try parseID(context.parameters.get("cid"))
            return try await team.action(context, back: "inbox?c=\(cid.apiString)") { access, db in
                let form = try await WebController.form(ReplyForm.self, request, context)
                _ = try await inbox.reply(access, conversationID: cid, text: form.text ?? "", on: db, logger: context.logger)
                return "Reply sent."
            }
        }
        router.post("w/:wid/inbox/:cid/update") { request, context in
            let cid = try parseID(context.parameters.get("cid"))
            return try await team.action(context, back: "inbox?c=\(cid.apiString)") { access, db in
                let form = try await WebController.form(UpdateForm.self, request, context)
                let view = try await inbox.update(access, conversationID: cid, ConversationPatch(status: form.status, assignedTo: form.assignedTo), on: db)
                return "Conversation \(view.status)\(view.assignedTo.map { ", assigned to \($0.name)" } ?? "")."
            }
        }
        router.post("w/:wid/accounts/:aid/sync") { request, context in
            let aid = try parseID(context.parameters.get("aid"))
            let back = request.uri.queryParameters["back"].map(String.init) == "analytics" ? "analytics?accountId=\(aid.apiString)" : "inbox"
            return try await team.action(context, back: back) { access, db in
                let added = try await services.platformSync.sync(access, accountID: aid, on: db, logger: context.logger)
                return "Refreshed from the platform: \(added) new message\(added == 1 ? "" : "s")."
            }
        }
    }

    private func inboxPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        let db = services.db(context)
        let query = request.uri.queryParameters
        let filter = try ConversationFilter(
            status: query["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }, unread: query["unread"].map(String.init).flatMap { $0.isEmpty ? nil : $0 },
            assigned: query["assigned"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }, accountId: nil)
        let page = try await services.inbox.list(access, filter, limit: try PageSize("100"), cursor: query["cursor"].map(String.init), on: db)
        var detail: ConversationDetailView? = nil
        if let cid = query["c"].map(String.init) {
            let id = try parseID(cid)
            try await services.inbox.markRead(access, conversationID: id, on: db)
            detail = try await services.inbox.get(access, conversationID: id, on: db)
        }
        // Only those who manage people can list them; others see the assignee, not the picker.
        let members = (try? await services.members.list(access, role: nil, search: nil, limit: try PageSize("200"), cursor: nil, on: db).items) ?? []
        let accounts = try await services.socialAccounts.list(access, status: nil, limit: try PageSize("200"), cursor: nil, on: db).items
        let chrome = try await web.chrome(context, title: "Inbox", currentWorkspace: access.workspaceID.apiString, request: request)
        struct Row { var id, participant, accountName, preview, when: String; var unread, current, closed: Bool; var assignee: String? }
        struct Message { var author, text, when: String; var mine: Bool; var sentBy: String? }
        struct Thread { var id, participant, accountName, status: String; var closed, canReply: Bool; var messages: [Message]; var assignee: String? }
        struct Model {
            var page: PageChrome
            var workspaceID, statusFilter: String
            var rows: [Row]
            var hasRows: Bool
            var thread: Thread?
            var members: [Option]
            var accounts: [Option]
            var unreadOnly, mine: Bool
        }
        let current = detail?.conversation.id
        let rows = page.items.map {
            Row(id: $0.id, participant: $0.participant, accountName: $0.account.name, preview: $0.lastMessagePreview,
                when: TeamPagesController.dateText($0.lastMessageAt), unread: $0.unread, current: $0.id == current, closed: $0.status == "closed",
                assignee: $0.assignedTo?.name)
        }
        let thread = detail.map { detail in
            Thread(
                id: detail.conversation.id, participant: detail.conversation.participant, accountName: detail.conversation.account.name,
                status: detail.conversation.status, closed: detail.conversation.status == "closed", canReply: detail.conversation.canReply,
                messages: detail.messages.map { Message(author: $0.author, text: $0.text, when: TeamPagesController.dateText($0.sentAt), mine: $0.fromProfile, sentBy: $0.sentBy?.name) },
                assignee: detail.conversation.assignedTo?.name)
        }
        return web.pages.render(
            "inbox",
            Model(
                page: chrome, workspaceID: access.workspaceID.apiString, statusFilter: filter.status ?? "all", rows: rows, hasRows: !rows.isEmpty,
                thread: thread,
                members: members.filter { [.owner, .admin, .manager].contains($0.role) || ($0.permissions?.contains(.manageInbox) ?? false) }
                    .map { Option(value: $0.id, label: $0.name, selected: $0.name == detail?.conversation.assignedTo?.name) },
                accounts: accounts.map { Option(value: $0.id, label: $0.name, selected: false) },
                unreadOnly: filter.unreadOnly, mine: filter.assignment == .me))
    }

    private func analyticsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        let db = services.db(context)
        let query = request.uri.queryParameters
        let chosen = query["accountId"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let range = try DayRange(
            from: query["from"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }, to: query["to"].map(String.init).flatMap { $0.isEmpty ? nil : $0 },
            today: Day(services.env.clock.now))
        let report = try await services.analytics.report(access, accountIds: chosen.map { [$0] } ?? [], range: range, on: db)
        let accounts = try await services.analytics.accounts(access, named: [], on: db)
        let chrome = try await web.chrome(context, title: "Analytics", currentWorkspace: access.workspaceID.apiString, request: request)
        struct Tile { var label, value, change, changeClass: String }
        struct Model {
            var page: PageChrome
            var workspaceID, from, to, csvURL: String
            var accounts: [Option]
            var tiles: [Tile]
            var followersChart, impressionsChart, engagementsChart: String
            var chosenAccount: String?
        }
        let labels = report.series.map(\.day)
        func tile(_ label: String, _ value: Int, _ change: Double?) -> Tile {
            let text = change.map { ($0 >= 0 ? "+" : "") + String(format: "%.1f%%", $0) } ?? "—"
            return Tile(label: label, value: SVGChart.compact(value), change: text, changeClass: (change ?? 0) >= 0 ? "up" : "down")
        }
        let totals = report.totals
        let wid = access.workspaceID.apiString
        return web.pages.render(
            "analytics",
            Model(
                page: chrome, workspaceID: wid, from: report.from, to: report.to,
                csvURL: "/api/v1/workspaces/\(wid)/analytics.csv?from=\(report.from)&to=\(report.to)" + (chosen.map { "&accountId=\($0)" } ?? ""),
                accounts: accounts.map { Option(value: $0.id!.apiString, label: "\($0.name) (\($0.platform))", selected: $0.id!.apiString == chosen) },
                tiles: [
                    tile("Followers", totals.followers, report.change.followers), tile("Impressions", totals.impressions, report.change.impressions),
                    tile("Engagements", totals.engagements, report.change.engagements), tile("Clicks", totals.clicks, report.change.clicks),
                    tile("Posts published", totals.postsPublished, report.change.postsPublished),
                ],
                followersChart: SVGChart.line(report.series.map(\.followers), labels: labels, title: "Followers per day"),
                impressionsChart: SVGChart.bars(report.series.map(\.impressions), labels: labels, title: "Impressions per day"),
                engagementsChart: SVGChart.bars(report.series.map(\.engagements), labels: labels, title: "Engagements per day"),
                chosenAccount: chosen))
    }
}
