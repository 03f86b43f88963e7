import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import HTTPTypes
import Hummingbird

/// `/forgot-password` asks for a reset mail; `/reset-password?token=` sets the
/// new password from it. Both work signed out, without JavaScript.
public struct PasswordPagesController: Sendable {
    let services: HTTPServices
    let web: WebController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.web = WebController(services: services, pages: pages)
    }

    struct ForgotForm: Decodable { var email: String? }
    struct ResetForm: Decodable { var token: String?; var password: String? }

    struct Model {
        var page: PageChrome
        var email = ""
        var token = ""
        var sent = false
        var error: String? = nil
    }

    public func register(on router: Router<AppRequestContext>) {
        router.get("forgot-password") { _, context in
            web.pages.render("forgot_password", Model(page: try await web.chrome(context, title: "Forgot password")))
        }
        router.post("forgot-password") { request, context in
            let form = try await WebController.form(ForgotForm.self, request, context)
            var model = Model(page: try await web.chrome(context, title: "Forgot password"), email: form.email ?? "")
            do {
                try await services.passwordResets.request(email: form.email ?? "", from: context.signInOrigin, on: services.db(context))
                model.sent = true
                return web.pages.render("forgot_password", model)
            } catch let error as DomainError {
                model.error = WebController.message(error)
                return WebController.refusal(web.pages.render("forgot_password", model, status: .init(code: error.status)), error)
            }
        }
        router.get("reset-password") { request, context in
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            var response = web.pages.render("reset_password", Model(page: try await web.chrome(context, title: "Set a new password"), token: token))
            // The token is in the address: never let it leave in a Referer.
            response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            return response
        }
        router.post("reset-password") { request, context in
            let form = try await WebController.form(ResetForm.self, request, context)
            do {
                try await services.passwordResets.reset(
                    token: form.token ?? "", newPassword: form.password ?? "", from: context.signInOrigin, on: services.db(context))
                var page = try await web.chrome(context, title: "Log in")
                page.notice = "Your new password is set, and every device was signed out. Log in with it."
                var response = web.pages.render("login", WebController.FormModel(page: page))
                response.setCookie(SessionCookie.expired(secure: services.secureCookies))
                return response
            } catch let error as DomainError {
                let model = Model(page: try await web.chrome(context, title: "Set a new password"), token: form.token ?? "", error: WebController.message(error))
                return web.pages.render("reset_password", model, status: .init(code: error.status))
            }
        }
    }
}
