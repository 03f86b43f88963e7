import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import Hummingbird
import Mustache

/// What every page's layout shows: the title, who is signed in, the workspace
/// switcher and the CSRF token for forms.
struct PageChrome {
    struct WorkspaceLink {
        var id: String
        var name: String
        var role: String
        var current: Bool
        /// Owner and admins see Users and the audit log. Stored, not computed:
        /// Mustache reads values through reflection.
        var manages: Bool
        /// Whether the role can reach an inbox or analytics at all (editors and
        /// clients only with the permission); the pages check each account.
        var inbox: Bool
        var analytics: Bool

        init(id: String, name: String, role: String, current: Bool, permissions: [String] = []) {
            self.id = id
            self.name = name
            self.role = role
            self.current = current
            self.manages = role == "owner" || role == "admin"
            let senior = manages || role == "manager"
            self.inbox = senior || permissions.contains("manage_inbox")
            self.analytics = senior || permissions.contains("view_analytics")
        }
    }

    var title: String
    var signedIn: Bool
    var userName: String
    var csrf: String
    var workspaces: [WorkspaceLink]
    var currentWorkspace: WorkspaceLink?
    /// One-line outcome of the last action (from `?notice=` / `?error=` after a redirect).
    var notice: String? = nil
    var error: String? = nil
}

/// Renders Mustache templates from the module's resources into HTML responses.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// The stylesheet and script, read once at start-up.
    let stylesheet: String
    let script: String

    public static func load() async throws -> PageRenderer {
        guard let base = Bundle.module.resourcePath else { throw DomainError.unavailable("web resources are missing") }
        let library = try await MustacheLibrary(directory: base + "/templates")
        let stylesheet = try String(contentsOfFile: base + "/static/crew.css", encoding: .utf8)
        let script = try String(contentsOfFile: base + "/static/crew.js", encoding: .utf8)
        return PageRenderer(library: library, stylesheet: stylesheet, script: script)
    }

    /// Renders a template as an HTML response.
    func render(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(model, withTemplate: template) ?? "<!doctype html><p>Missing template \(template)</p>"
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The HTML error page the error middleware shows browsers.
    public func errorPage(_ problem: HTTPProblem, requestID: String, chrome: Any?) -> Response {
        struct ErrorModel { var page: Any; var title: String; var detail: String; var status: Int; var requestID: String }
        let page = chrome ?? PageChrome(title: problem.title, signedIn: false, userName: "", csrf: "", workspaces: [], currentWorkspace: nil)
        var response = render(
            "error", ErrorModel(page: page, title: problem.title, detail: problem.detail, status: problem.status, requestID: requestID),
            status: .init(code: problem.status))
        if let retryAfter = problem.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
