import CrewHTTP
import HTTPTypes

extension TestUser {
    /// The headers of a browser signed in as this person: an HTML page, or
    /// with `form` a form post.
    public func browser(form: Bool = false) -> HTTPFields {
        var headers: HTTPFields = [.accept: "text/html", .cookie: "\(SessionCookie.name)=\(token)"]
        if form { headers[.contentType] = "application/x-www-form-urlencoded" }
        return headers
    }
}

/// The CSRF token a page's forms carry.
public func csrfToken(in html: String) throws -> String {
    guard let start = html.range(of: #"name="csrf_token" value=""#)?.upperBound else {
        throw TestFailure("the page has no form with a CSRF token")
    }
    return String(html[start...].prefix { $0 != "\"" })
}
