import CrewCore
import Foundation
import HummingbirdTesting

/// A signed-up person in a test.
public struct TestUser: Sendable {
    public var id: String
    public var email: String
    public var name: String
    public var password: String
    public var token: String
}

extension TestApp {
    /// Signs a person up through the API.
    public func signup(_ name: String = "Pat Person", email: String? = nil, password: String = "correct horse battery") async throws -> TestUser {
        let local = name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " }.split(separator: " ").joined(separator: ".")
        let email = email ?? "\(local)-\(UUID().uuidString.prefix(6).lowercased())@example.com"
        let response = try await client.send(.post, "/api/v1/auth/signup", json: ["email": email, "password": password, "name": name])
        guard response.status == .created else { throw TestFailure("signup failed: \(response.status) \(response.text)") }
        let object = response.object
        let user = object["user"] as? [String: Any] ?? [:]
        return TestUser(
            id: user["id"] as? String ?? "", email: user["email"] as? String ?? "", name: name, password: password,
            token: object["token"] as? String ?? "")
    }

    /// Creates a workspace through the API and returns its id.
    public func createWorkspace(_ name: String = "Acme Agency", plan: String = "agency", as user: TestUser) async throws -> String {
        let response = try await client.send(.post, "/api/v1/workspaces", token: user.token, json: ["name": name, "plan": plan])
        guard response.status == .created, let id = response.object["id"] as? String else {
            throw TestFailure("workspace creation failed: \(response.status) \(response.text)")
        }
        return id
    }
}

/// A setup step that did not go as the test assumed.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
