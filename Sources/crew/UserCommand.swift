import ArgumentParser
import CrewApp
import CrewCore
import CrewServices
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage people's accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account. The password is read from CREW_USER_PASSWORD or standard input, never from a flag.")

        @Option(help: "Email address.") var email: String
        @Option(help: "Display name.") var name: String
        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let password = try readPassword()
            let email = self.email, name = self.name
            let user = try await reportingDomainErrors {
                try await withDatabase(databaseOptions.overrides) { components, db in
                    try await AccountService(env: components.services.env).createUser(email: email, password: password, name: name, on: db)
                }
            }
            print("created user \(user.email) (\(user.id))")
        }

        /// Flags end up in shell history and process lists, so passwords never come from one.
        private func readPassword() throws -> String {
            if let fromEnv = ProcessInfo.processInfo.environment["CREW_USER_PASSWORD"], !fromEnv.isEmpty { return fromEnv }
            FileHandle.standardError.write(Data("password: ".utf8))
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                FileHandle.standardError.write(Data("crew: no password given (set CREW_USER_PASSWORD or type it)\n".utf8))
                throw ExitCode.failure
            }
            return line
        }
    }
}

/// Prints a domain error as one clear line and exits non-zero.
func reportingDomainErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as DomainError {
        FileHandle.standardError.write(Data("crew: \(error.detail)\n".utf8))
        for field in error.fieldErrors where error.fieldErrors.count > 1 {
            FileHandle.standardError.write(Data("  \(field.field): \(field.message)\n".utf8))
        }
        throw ExitCode.failure
    }
}
