import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation
import Hummingbird

/// The Users page (members, seats, invitations, removal) and the audit log page.
/// Every action posts a form and comes back to the page with a one-line outcome.
public struct TeamPagesController: Sendable {
    let services: HTTPServices
    let web: WebController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.web = WebController(services: services, pages: pages)
    }

    struct Option { var value: String; var label: String; var selected = false }

    struct InviteForm: Decodable {
        var emails: String?; var role: String?; var permissions: [String]?; var accountIds: [String]?; var accessUntil: String?
    }
    struct BulkForm: Decodable { var memberIds: [String]?; var bulkRole: String?; var bulkAccessUntil: String? }
    struct InvitationsForm: Decodable { var invitationIds: [String]? }
    struct EditForm: Decodable {
        var role: String?; var permissions: [String]?; var allowedPlatforms: [String]?; var accountIds: [String]?; var accessUntil: String?
    }

    public func register(on router: Router<AppRequestContext>) {
        router.get("w/:wid/users") { request, context in try await usersPage(request, context) }
        router.post("w/:wid/users/invite") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(InviteForm.self, request, context)
                let emails = (form.emails ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == " " })
                    .map(String.init).filter { !$0.isEmpty }
                let created = try await services.invitations.create(
                    access,
                    InvitationRequest(
                        emails: emails, role: form.role ?? "", permissions: form.permissions ?? [], accountIds: form.accountIds ?? [],
                        accessUntil: try AccessEndField.parse(form.accessUntil)),
                    on: db)
                return "Invitation sent to \(created.map(\.email).joined(separator: ", "))."
            }
        }
        router.post("w/:wid/members/bulk-delete") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(BulkForm.self, request, context)
                let removed = try await services.members.removeMany(access, ids: form.memberIds ?? [], on: db)
                return "Removed \(removed.count) member\(removed.count == 1 ? "" : "s")."
            }
        }
        router.post("w/:wid/members/bulk-update") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(BulkForm.self, request, context)
                let role = form.bulkRole ?? ""
                let updated = try await services.members.updateMany(access, ids: form.memberIds ?? [], patch: MemberPatch(role: role), on: db)
                return "Made \(updated.count) member\(updated.count == 1 ? "" : "s") \(role)\(updated.count == 1 ? "" : "s")."
            }
        }
        router.post("w/:wid/members/bulk-access") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(BulkForm.self, request, context)
                let end = try AccessEndField.parse(form.bulkAccessUntil, field: "bulkAccessUntil")
                let updated = try await services.members.updateMany(
                    access, ids: form.memberIds ?? [], patch: MemberPatch(accessUntil: .some(end)), on: db)
                let count = "\(updated.count) member\(updated.count == 1 ? "" : "s")"
                return end == nil ? "Access of \(count) no longer ends." : "Access of \(count) ends after \(AccessEndField.dayText(end))."
            }
        }
        router.post("w/:wid/members/:mid/delete") { _, context in
            try await action(context, back: "users") { access, db in
                let memberID = try parseID(context.parameters.get("mid"))
                let member = try await services.members.get(access, memberID: memberID, on: db)
                try await services.members.remove(access, memberID: memberID, on: db)
                return "Removed \(member.name)."
            }
        }
        router.get("w/:wid/members/:mid/edit") { request, context in try await editPage(request, context) }
        router.post("w/:wid/members/:mid/edit") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(EditForm.self, request, context)
                let member = try await services.members.update(
                    access, memberID: try parseID(context.parameters.get("mid")),
                    patch: MemberPatch(
                        role: form.role, permissions: form.permissions ?? [], allowedPlatforms: form.allowedPlatforms ?? [],
                        accountIds: form.accountIds ?? [], accessUntil: .some(try AccessEndField.parse(form.accessUntil))),
                    on: db)
                return "Saved \(member.name)."
            }
        }
        router.post("w/:wid/invitations/:iid/resend") { _, context in
            try await action(context, back: "users") { access, db in
                let invitation = try await services.invitations.resend(access, invitationID: try parseID(context.parameters.get("iid")), on: db)
                return "Invitation to \(invitation.email) sent again."
            }
        }
        router.post("w/:wid/invitations/:iid/revoke") { _, context in
            try await action(context, back: "users") { access, db in
                try await services.invitations.revoke(access, invitationID: try parseID(context.parameters.get("iid")), on: db)
                return "Invitation revoked."
            }
        }
        router.post("w/:wid/invitations/bulk-resend") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(InvitationsForm.self, request, context)
                let resent = try await services.invitations.resendMany(access, ids: form.invitationIds ?? [], on: db)
                return "Sent \(resent.count) invitation\(resent.count == 1 ? "" : "s") again."
            }
        }
        router.post("w/:wid/invitations/bulk-revoke") { request, context in
            try await action(context, back: "users") { access, db in
                let form = try await WebController.form(InvitationsForm.self, request, context)
                let revoked = try await services.invitations.revokeMany(access, ids: form.invitationIds ?? [], on: db)
                return "Revoked \(revoked.count) invitation\(revoked.count == 1 ? "" : "s")."
            }
        }
        router.get("w/:wid/audit") { request, context in try await auditPage(request, context) }
    }

    // MARK: Pages

    private func usersPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        try access.require(.manageMembers)
        let db = services.db(context)
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        let page = try await services.members.list(access, role: nil, search: nil, limit: try PageSize("100"), cursor: cursor, on: db)
        let workspace = try await services.workspaces.get(access.workspaceID, on: db)
        let invitations = try await services.invitations.listPending(access, on: db)
        let accounts = try await SocialAccountList.all(in: access.workspaceID, on: db)
        let linkPanel = try await LinkPanel.load(access, services: services, accounts: accounts, seats: workspace.seats, on: db)
        let joinRequests = try await JoinRequestService(env: services.env).listPending(access, on: db)
        struct JoinRequestRow { var id, name, email, workspaceID: String }

        struct InvitationRow {
            var id, email, role, status, expiresText, workspaceID: String
            /// Set when the mail could not be delivered: the reason and the link to pass on.
            var deliveryError, acceptURL: String?
        }
        struct Model {
            var page: PageChrome
            var workspaceID, seatsText: String
            var members: [MemberRow]
            var nextCursor: String?
            var invitations: [InvitationRow]
            var hasInvitations: Bool
            var roleOptions, teamRoleOptions, permissionOptions: [Option]
            var accounts: [SocialAccountList.Item]
            var hasAccounts: Bool
            var link: LinkPanel
            var joinRequests: [JoinRequestRow]
            var hasJoinRequests: Bool
        }
        let wid = access.workspaceID.apiString
        let now = services.env.clock.now
        let rows = page.items.map { MemberRow($0, viewer: access.role, workspaceID: wid, now: now) }
        let invitationRows = invitations.map {
            InvitationRow(
                id: $0.id, email: $0.email, role: $0.role.rawValue, status: $0.status, expiresText: Self.dateText($0.expiresAt), workspaceID: wid,
                deliveryError: $0.delivery?.status == "failed" ? ($0.delivery?.lastError ?? "unknown reason") : nil,
                acceptURL: $0.delivery?.acceptUrl)
        }
        let roles: [Role] = access.role == .owner ? [.client, .editor, .manager, .admin] : [.client, .editor, .manager]
        return web.pages.render(
            "users",
            Model(
                page: try await web.chrome(context, title: "Users", currentWorkspace: wid, request: request),
                workspaceID: wid, seatsText: WebController.usageText(workspace.seats), members: rows, nextCursor: page.nextCursor,
                invitations: invitationRows, hasInvitations: !invitationRows.isEmpty,
                roleOptions: roles.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized) },
                teamRoleOptions: roles.filter(\.isTeamRole).map { Option(value: $0.rawValue, label: $0.rawValue.capitalized) },
                permissionOptions: ClientPermission.allCases.map { Option(value: $0.rawValue, label: Self.label($0)) },
                accounts: accounts, hasAccounts: !accounts.isEmpty, link: linkPanel,
                joinRequests: joinRequests.map { JoinRequestRow(id: $0.id, name: $0.name, email: $0.email, workspaceID: wid) },
                hasJoinRequests: !joinRequests.isEmpty))
    }

    private func editPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        try access.require(.manageMembers)
        let db = services.db(context)
        let member = try await services.members.get(access, memberID: try parseID(context.parameters.get("mid")), on: db)
        try MembershipRules.checkEdit(actor: access.role, target: member.role)
        let accounts = try await SocialAccountList.all(in: access.workspaceID, on: db)
        struct Model {
            var page: PageChrome
            var workspaceID: String
            var member: MemberView
            var isClient: Bool
            var accessUntilDay: String
            var accessEnded: Bool
            var roleOptions, permissionOptions, platformOptions, accountOptions: [Option]
        }
        let teamRoles: [Role] = access.role == .owner ? [.editor, .manager, .admin] : [.editor, .manager]
        let permissions: [ClientPermission] = member.role == .client ? ClientPermission.allCases : [.viewAnalytics, .manageInbox]
        let wid = access.workspaceID.apiString
        return web.pages.render(
            "member_edit",
            Model(
                page: try await web.chrome(context, title: "Edit \(member.name)", currentWorkspace: wid, request: request),
                workspaceID: wid, member: member, isClient: member.role == .client,
                accessUntilDay: AccessEndField.dayText(member.accessUntil),
                accessEnded: AccessExpiry.hasEnded(member.accessUntil, at: services.env.clock.now),
                roleOptions: teamRoles.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == member.role) },
                permissionOptions: permissions.map { Option(value: $0.rawValue, label: Self.label($0), selected: member.permissions?.contains($0) ?? false) },
                platformOptions: Platform.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: member.allowedPlatforms?.contains($0) ?? false) },
                accountOptions: accounts.map { Option(value: $0.id, label: "\($0.name) (\($0.platform))", selected: member.accountIds?.contains($0.id) ?? false) }))
    }

    private func auditPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        let query = request.uri.queryParameters
        let action = query["action"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let fromDate = query["from"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let toDate = query["to"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let page = try await services.audit.list(
            access,
            filter: AuditFilter(action: action, from: fromDate.map { $0 + "T00:00:00Z" }, to: toDate.map { $0 + "T23:59:59Z" }),
            limit: try PageSize("50"), cursor: query["cursor"].map(String.init), on: services.db(context))
        struct Row { var when, actorName, action, targetLabel, change: String }
        struct Filter { var action, fromDate, toDate, query: String }
        struct Model { var page: PageChrome; var workspaceID: String; var events: [Row]; var nextCursor: String?; var filter: Filter }
        let rows = page.items.map { event in
            let change = (event.after ?? event.before ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            return Row(when: Self.dateText(event.createdAt), actorName: event.actorName, action: event.action, targetLabel: event.targetLabel, change: change)
        }
        var filterQuery = ""
        for (key, value) in [("action", action), ("from", fromDate), ("to", toDate)] {
            if let value { filterQuery += "&\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        }
        let wid = access.workspaceID.apiString
        return web.pages.render(
            "audit",
            Model(
                page: try await web.chrome(context, title: "Audit log", currentWorkspace: wid, request: request),
                workspaceID: wid, events: rows, nextCursor: page.nextCursor,
                filter: Filter(action: action ?? "", fromDate: fromDate ?? "", toDate: toDate ?? "", query: filterQuery)))
    }

    // MARK: Helpers

    /// One line of the members table, with what the viewer may do to that member.
    struct MemberRow {
        var id, name, email, role, permissionsText, workspaceID, accessText: String
        var accountCount: Int
        var countsAsSeat, removable, editable, accessEnded: Bool

        init(_ member: MemberView, viewer: Role, workspaceID: String, now: Date) {
            self.accessText = AccessEndField.statusText(member.accessUntil, now: now)
            self.accessEnded = AccessExpiry.hasEnded(member.accessUntil, at: now)
            self.id = member.id
            self.name = member.name
            self.email = member.email ?? ""
            self.role = member.role.rawValue
            self.permissionsText = (member.permissions ?? []).map { TeamPagesController.label($0) }.joined(separator: ", ")
            self.workspaceID = workspaceID
            self.accountCount = member.accountIds?.count ?? 0
            self.countsAsSeat = member.countsAsSeat ?? false
            self.removable = (try? MembershipRules.checkRemoval(actor: viewer, target: member.role)) != nil
            self.editable = (try? MembershipRules.checkEdit(actor: viewer, target: member.role)) != nil
        }
    }

    /// Runs a form action and redirects back with its outcome; refusals become a
    /// message on the page instead of an error page.
    func action(
        _ context: AppRequestContext, back page: String,
        _ body: (WorkspaceAccess, any Database) async throws -> String
    ) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        // `page` may carry its own query (`inbox?c=…`).
        let base = "/w/\(access.workspaceID.apiString)/\(page)" + (page.contains("?") ? "&" : "?")
        do {
            let notice = try await body(access, services.db(context))
            return Response.redirect(to: base + "notice=" + Self.encode(notice), type: .normal)
        } catch let error as DomainError {
            return Response.redirect(to: base + "error=" + Self.encode(WebController.message(error)), type: .normal)
        } catch let refusal as BulkRefused {
            let reasons = refusal.refused.map(\.detail).joined(separator: " ")
            return Response.redirect(to: base + "error=" + Self.encode("Nothing was removed. \(reasons)"), type: .normal)
        }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    static func label(_ permission: ClientPermission) -> String {
        switch permission {
        case .publishPosts: "Publish posts"
        case .viewAnalytics: "View analytics"
        case .manageInbox: "Manage inbox"
        case .approvePosts: "Approve posts"
        }
    }

    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
