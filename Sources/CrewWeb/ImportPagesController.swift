import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation
import Hummingbird

/// Inviting people from a CSV file: paste or pick the file, see what would
/// happen to each row and to the seats, then send. Nothing is sent before
/// the person confirms a preview without invalid rows.
public struct ImportPagesController: Sendable {
    let services: HTTPServices
    let team: TeamPagesController
    let web: WebController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.team = TeamPagesController(services: services, pages: pages)
        self.web = WebController(services: services, pages: pages)
    }

    struct ImportForm: Decodable { var csv: String? }

    /// Rows shown in the preview table; the counts cover every row.
    static let shownRows = 200

    public func register(on router: Router<AppRequestContext>) {
        router.get("w/:wid/users/import") { request, context in
            guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
            return try await page(request, context, access: try await services.access(context), csv: "", preview: nil)
        }
        router.post("w/:wid/users/import/preview") { request, context in
            let csv = try await WebController.form(ImportForm.self, request, context).csv ?? ""
            guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
            let access = try await services.access(context)
            do {
                let preview = try await services.invitations.previewImport(access, csv: csv, on: services.db(context))
                return try await page(request, context, access: access, csv: csv, preview: preview)
            } catch let error as DomainError {
                return try await page(request, context, access: access, csv: csv, preview: nil, error: WebController.message(error))
            }
        }
        router.post("w/:wid/users/import") { request, context in
            let csv = try await WebController.form(ImportForm.self, request, context).csv ?? ""
            return try await team.action(context, back: "users") { access, db in
                let done: InvitationImportView
                do {
                    done = try await services.invitations.importInvitations(access, csv: csv, on: db)
                } catch DomainError.validationFailed(let errors) where errors.count > 3 {
                    // Rows that went bad since the preview (an account removed meanwhile): their
                    // list would not fit in the address the message travels in.
                    throw DomainError.invalid("csv", "\(errors.count) problems since the preview; nothing was sent. Preview the file again.")
                }
                let c = done.counts
                let skipped = Self.skipped(c)
                return "Sent \(c.invited) invitation\(c.invited == 1 ? "" : "s")"
                    + (skipped.isEmpty ? "." : " (skipped: \(skipped.joined(separator: ", "))).")
            }
        }
    }

    private func page(
        _ request: Request, _ context: AppRequestContext, access: WorkspaceAccess, csv: String, preview: InvitationImportView?,
        error: String? = nil
    ) async throws -> Response {
        try access.require(.invite)
        struct Row { var row: Int; var email, role, status, problems: String; var seat, invalid: Bool }
        struct Summary { var text: String; var seatsText: String; var fits, canSend: Bool; var sendText: String; var hiddenRows: Int; var hasHiddenRows: Bool }
        struct Model {
            var page: PageChrome
            var workspaceID, csv: String
            var columns: String
            var maxRowsText: String
            var summary: Summary?
            var rows: [Row]
        }
        var summary: Summary?
        var rows: [Row] = []
        if let preview {
            // Rows that need attention first, then the ones that will be invited.
            let ordered = preview.rows.filter { $0.status != .new } + preview.rows.filter { $0.status == .new }
            rows = ordered.prefix(Self.shownRows).map {
                Row(
                    row: $0.row, email: $0.email, role: $0.role, status: Self.statusText($0.status),
                    problems: $0.errors.map { "\($0.field.split(separator: ".").last ?? ""): \($0.message)" }.joined(separator: "; "),
                    seat: $0.countsAsSeat, invalid: $0.status == .invalid)
            }
            let c = preview.counts
            let parts = (c.new > 0 ? ["\(c.new) to invite"] : []) + Self.skipped(c) + (c.invalid > 0 ? ["\(c.invalid) invalid"] : [])
            summary = Summary(
                text: parts.joined(separator: " · "), seatsText: preview.seats.detail, fits: preview.seats.fits,
                canSend: c.invalid == 0 && c.new > 0 && preview.seats.fits,
                sendText: "Send \(c.new) invitation\(c.new == 1 ? "" : "s")", hiddenRows: max(0, preview.rows.count - Self.shownRows),
                hasHiddenRows: preview.rows.count > Self.shownRows)
        }
        var chrome = try await web.chrome(context, title: "Invite from a CSV file", currentWorkspace: access.workspaceID.apiString, request: request)
        if let error { chrome.error = error }
        return web.pages.render(
            "users_import",
            Model(
                page: chrome, workspaceID: access.workspaceID.apiString, csv: csv,
                columns: InvitationImportFile.columns.joined(separator: ","), maxRowsText: InvitationImportFile.maxRows.formatted(), summary: summary, rows: rows))
    }

    /// The rows that are not invited and not wrong either, counted as the
    /// preview and the outcome name them.
    static func skipped(_ c: InvitationImportView.Counts) -> [String] {
        [(c.member, "already members"), (c.pending, "already invited"), (c.duplicate, "listed twice")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
    }

    static func statusText(_ status: InvitationImportView.Status) -> String {
        switch status {
        case .new: "will be invited"
        case .invited: "invited"
        case .member: "already a member"
        case .pending: "already invited"
        case .duplicate: "listed twice"
        case .invalid: "invalid"
        }
    }
}
