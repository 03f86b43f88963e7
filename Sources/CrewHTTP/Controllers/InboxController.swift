import CrewCore
import CrewServices
import Hummingbird

/// The social inbox: conversations (list with filters, one with its messages),
/// replies, read marks, assignment and closing.
public struct InboxController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct ReplyBody: Decodable {
        var text: String
    }

    struct PatchBody: Decodable {
        var status: String?
        var assignedTo: String?
    }

    public func register(on api: APIRouter) {
        let inbox = services.inbox
        api.get("workspaces/:wid/inbox/conversations") { request, context in
            let access = try await services.access(context)
            let query = request.uri.queryParameters
            let filter = try ConversationFilter(
                status: query["status"].map(String.init), unread: query["unread"].map(String.init),
                assigned: query["assigned"].map(String.init), accountId: query["accountId"].map(String.init))
            let page = try await inbox.list(
                access, filter, limit: try PageSize(query["limit"].map(String.init)), cursor: query["cursor"].map(String.init),
                on: services.db(context))
            return ListPage(items: page.items, nextCursor: page.nextCursor)
        }
        api.get("workspaces/:wid/inbox/conversations/:cid") { request, context in
            let access = try await services.access(context)
            let detail = try await inbox.get(access, conversationID: try parseID(context.parameters.get("cid")), on: services.db(context))
            return try context.json(detail, request: request)
        }
        api.patch("workspaces/:wid/inbox/conversations/:cid") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: PatchBody.self, context: context)
            let conversation = try await inbox.update(
                access, conversationID: try parseID(context.parameters.get("cid")), ConversationPatch(status: body.status, assignedTo: body.assignedTo),
                on: services.db(context))
            return try context.json(conversation, request: request)
        }
        api.post("workspaces/:wid/inbox/conversations/:cid/read") { _, context in
            let access = try await services.access(context)
            try await inbox.markRead(access, conversationID: try parseID(context.parameters.get("cid")), on: services.db(context))
            return HTTPResponse.Status.noContent
        }
        api.post("workspaces/:wid/inbox/conversations/:cid/replies") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: ReplyBody.self, context: context)
            let message = try await inbox.reply(
                access, conversationID: try parseID(context.parameters.get("cid")), text: body.text, on: services.db(context), logger: context.logger)
            return try context.json(message, status: .created, request: request)
        }
    }
}
