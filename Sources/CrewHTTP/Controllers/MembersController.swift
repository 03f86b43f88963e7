import CrewCore
import CrewServices
import Foundation
import Hummingbird

/// Members of a workspace: list, read, edit, remove (one or many), transfer
/// ownership, leave; and editing the workspace itself.
public struct MembersController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    /// A member edit; `accessUntil` tells "absent" (unchanged) from `null` (no end).
    struct PatchBody: Decodable {
        var patch = MemberPatch()

        enum Keys: String, CodingKey { case role, permissions, allowedPlatforms, accountIds, accessUntil }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            patch.role = try c.decodeIfPresent(String.self, forKey: .role)
            patch.permissions = try c.decodeIfPresent([String].self, forKey: .permissions)
            patch.allowedPlatforms = try c.decodeIfPresent([String].self, forKey: .allowedPlatforms)
            patch.accountIds = try c.decodeIfPresent([String].self, forKey: .accountIds)
            if c.contains(.accessUntil) {
                patch.accessUntil = .some(try c.decodeNil(forKey: .accessUntil) ? nil : try c.decode(Date.self, forKey: .accessUntil))
            }
        }
    }
    struct BulkDeleteBody: Decodable { var memberIds: [String] }
    struct BulkUpdateBody: Decodable {
        var memberIds: [String]
        var edit: PatchBody

        enum Keys: String, CodingKey { case memberIds }

        init(from decoder: any Decoder) throws {
            memberIds = try decoder.container(keyedBy: Keys.self).decode([String].self, forKey: .memberIds)
            edit = try PatchBody(from: decoder)
        }
    }
    struct BulkUpdateAnswer: Encodable { var updated: [String] }
    struct BulkDeleteAnswer: Encodable { var removed: [String] }
    struct TransferBody: Decodable { var memberId: String }
    struct WorkspacePatchBody: Decodable { var name: String?; var plan: String? }

    public func register(on api: APIRouter) {
        api.patch("workspaces/:wid") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: WorkspacePatchBody.self, context: context)
            return try await services.workspaces.update(access, name: body.name, plan: body.plan, on: services.db(context))
        }
        api.get("workspaces/:wid/members") { request, context in
            let access = try await services.access(context)
            let query = request.uri.queryParameters
            let page = try await services.members.list(
                access, role: query["role"].map(String.init), search: query["q"].map(String.init),
                limit: try PageSize(query["limit"].map(String.init)), cursor: query["cursor"].map(String.init), on: services.db(context))
            return ListPage(page)
        }
        api.get("workspaces/:wid/members.csv") { _, context in
            let access = try await services.access(context)
            let (members, db) = (services.members, services.db(context))
            let day = services.env.clock.now.rfc3339.prefix(10)
            return CSVBody.response(filename: "crew-members-\(day).csv") { write in
                try await members.exportCSV(access, on: db, write: write)
            }
        }
        api.get("workspaces/:wid/members/:mid") { _, context in
            let access = try await services.access(context)
            return try await services.members.get(access, memberID: try parseID(context.parameters.get("mid")), on: services.db(context))
        }
        api.patch("workspaces/:wid/members/:mid") { request, context in
            let access = try await services.access(context)
            let memberID = try parseID(context.parameters.get("mid"))
            let body = try await request.decode(as: PatchBody.self, context: context)
            return try await services.members.update(access, memberID: memberID, patch: body.patch, on: services.db(context))
        }
        api.delete("workspaces/:wid/members/:mid") { _, context in
            let access = try await services.access(context)
            try await services.members.remove(access, memberID: try parseID(context.parameters.get("mid")), on: services.db(context))
            return HTTPResponse.Status.noContent
        }
        api.post("workspaces/:wid/members/bulk-delete") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: BulkDeleteBody.self, context: context)
            let removed = try await services.members.removeMany(access, ids: body.memberIds, on: services.db(context))
            return try context.json(BulkDeleteAnswer(removed: removed), request: request)
        }
        api.post("workspaces/:wid/members/bulk-update") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: BulkUpdateBody.self, context: context)
            let updated = try await services.members.updateMany(access, ids: body.memberIds, patch: body.edit.patch, on: services.db(context))
            return try context.json(BulkUpdateAnswer(updated: updated), request: request)
        }
        api.post("workspaces/:wid/transfer-ownership") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: TransferBody.self, context: context)
            return try await services.members.transferOwnership(access, to: try parseID(body.memberId), on: services.db(context))
        }
        api.post("workspaces/:wid/leave") { _, context in
            let access = try await services.access(context)
            try await services.members.leave(access, on: services.db(context))
            return HTTPResponse.Status.noContent
        }
    }
}
