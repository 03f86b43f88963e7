import CrewCore
import CrewServices
import Foundation
import Hummingbird

/// Posts (API.md "Posts, inbox, analytics"): list with filters, create, edit,
/// submit, approve, reject, request client approval, comments; and the
/// workspace's approval settings.
public struct PostsController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct CreateBody: Decodable {
        var accountIds: [String]
        var text: String
        var link: String?
        var mediaUrls: [String]?
        var scheduledAt: Date?
        var timeZone: String?
        var submit: Bool?
    }

    struct PatchBody: Decodable {
        var text: String?
        var link: String?
        var mediaUrls: [String]?
        var scheduledAt: Date?
        var timeZone: String?
    }

    struct RejectBody: Decodable {
        var comment: String
        var `internal`: Bool?
    }

    struct CommentBody: Decodable {
        var text: String
        var `internal`: Bool?
    }

    struct SettingsBody: Decodable {
        var clientPostsNeedApproval: Bool?
        var unapprovedPosts: String?
    }

    public func register(on api: APIRouter) {
        let posts = services.posts
        api.get("workspaces/:wid/posts") { request, context in
            let access = try await services.access(context)
            let query = request.uri.queryParameters
            let filter = try PostFilter(
                status: query["status"].map(String.init), accountId: query["accountId"].map(String.init),
                from: query["from"].map(String.init), to: query["to"].map(String.init))
            let page = try await posts.list(
                access, filter, limit: try PageSize(query["limit"].map(String.init)), cursor: query["cursor"].map(String.init),
                on: services.db(context))
            return ListPage(items: page.items, nextCursor: page.nextCursor)
        }
        api.post("workspaces/:wid/posts") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: CreateBody.self, context: context)
            let draft = PostDraft(
                accountIds: body.accountIds, text: body.text, link: body.link, mediaUrls: body.mediaUrls ?? [], scheduledAt: body.scheduledAt,
                timeZone: body.timeZone, submit: body.submit ?? false)
            let created = try await posts.create(access, draft, on: services.db(context))
            return try context.json(ListPage(items: created), status: .created, request: request)
        }
        api.get("workspaces/:wid/posts/:pid") { request, context in
            let access = try await services.access(context)
            return try context.json(try await posts.get(access, postID: try parseID(context.parameters.get("pid")), on: services.db(context)), request: request)
        }
        api.patch("workspaces/:wid/posts/:pid") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: PatchBody.self, context: context)
            let patch = PostPatch(text: body.text, link: body.link, mediaUrls: body.mediaUrls, scheduledAt: body.scheduledAt, timeZone: body.timeZone)
            let post = try await posts.update(access, postID: try parseID(context.parameters.get("pid")), patch, on: services.db(context))
            return try context.json(post, request: request)
        }
        registerReview(on: api)
        api.get("workspaces/:wid/post-settings") { request, context in
            let access = try await services.access(context)
            return try context.json(try await posts.settings(access, on: services.db(context)), request: request)
        }
        api.patch("workspaces/:wid/post-settings") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: SettingsBody.self, context: context)
            let settings = try await posts.updateSettings(
                access, clientPostsNeedApproval: body.clientPostsNeedApproval, unapprovedPosts: body.unapprovedPosts, on: services.db(context))
            return try context.json(settings, request: request)
        }
    }

    private func registerReview(on api: APIRouter) {
        let posts = services.posts
        api.post("workspaces/:wid/posts/:pid/submit") { request, context in
            let access = try await services.access(context)
            return try context.json(try await posts.submit(access, postID: try parseID(context.parameters.get("pid")), on: services.db(context)), request: request)
        }
        api.post("workspaces/:wid/posts/:pid/approve") { request, context in
            let access = try await services.access(context)
            return try context.json(try await posts.approve(access, postID: try parseID(context.parameters.get("pid")), on: services.db(context)), request: request)
        }
        api.post("workspaces/:wid/posts/:pid/reject") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: RejectBody.self, context: context)
            let post = try await posts.reject(
                access, postID: try parseID(context.parameters.get("pid")), comment: body.comment, internal: body.internal ?? false,
                on: services.db(context))
            return try context.json(post, request: request)
        }
        api.post("workspaces/:wid/posts/:pid/request-client-approval") { request, context in
            let access = try await services.access(context)
            let post = try await posts.requestClientApproval(access, postID: try parseID(context.parameters.get("pid")), on: services.db(context))
            return try context.json(post, request: request)
        }
        api.get("workspaces/:wid/posts/:pid/comments") { _, context in
            let access = try await services.access(context)
            return ListPage(items: try await posts.comments(access, postID: try parseID(context.parameters.get("pid")), on: services.db(context)))
        }
        api.post("workspaces/:wid/posts/:pid/comments") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: CommentBody.self, context: context)
            let comment = try await posts.comment(
                access, postID: try parseID(context.parameters.get("pid")), text: body.text, internal: body.internal ?? false, on: services.db(context))
            return try context.json(comment, status: .created, request: request)
        }
    }
}
