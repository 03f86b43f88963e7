import Foundation
import Hummingbird

/// The sandbox's two HTML pages: the consent page and an error page. Plain
/// strings with escaping: the sandbox pretends to be someone else's website,
/// so it deliberately shares nothing with Crew's templates.
enum SandboxPage {
    static func consent(request sealed: String, scope: String, message: String?) -> Response {
        let profiles = SandboxData.profiles.map { profile in
            """
            <li><label><input type="checkbox" name="profile" value="\(escape(profile.id))"> \
            <strong>\(escape(profile.name))</strong> <small>\(escape(profile.kind))</small></label></li>
            """
        }.joined(separator: "\n")
        let notice = message.map { "<p class=\"notice\" role=\"alert\">\(escape($0))</p>" } ?? ""
        let scopeLine = scope.isEmpty ? "" : "<p>It asks for: <code>\(escape(scope))</code></p>"
        return page(
            status: .ok, title: "Authorize Crew",
            body: """
                <h1>Sandbox Social</h1>
                <p><strong>Crew</strong> wants to manage profiles on your Sandbox Social account.</p>
                \(scopeLine)
                \(notice)
                <form method="post" action="authorize" id="sandbox-consent">
                  <input type="hidden" name="request" value="\(escape(sealed))">
                  <fieldset><legend>Profiles to grant</legend><ul>\(profiles)</ul></fieldset>
                  <button type="submit" name="decision" value="approve" id="sandbox-approve">Approve</button>
                  <button type="submit" name="decision" value="deny" id="sandbox-deny">Deny</button>
                </form>
                """)
    }

    static func failure(_ failure: SandboxAuthority.OAuthFailure) -> Response {
        page(
            status: .init(code: failure.status), title: "Authorization error",
            body: "<h1>Sandbox Social</h1><p role=\"alert\">\(escape(failure.error)): \(escape(failure.description))</p>")
    }

    private static func page(status: HTTPResponse.Status, title: String, body: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) · Sandbox Social</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d2433}
            h1{color:#6b3fd1} ul{list-style:none;padding:0} li{margin:.4rem 0}
            fieldset{border:1px solid #d7d2e8;border-radius:8px;margin:1rem 0}
            button{font:inherit;padding:.5rem 1.2rem;border-radius:6px;border:1px solid #6b3fd1;margin-right:.5rem}
            #sandbox-approve{background:#6b3fd1;color:#fff} .notice{color:#a4262c}
            </style></head><body>\(body)</body></html>
            """
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("X-Frame-Options")!: "DENY"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
