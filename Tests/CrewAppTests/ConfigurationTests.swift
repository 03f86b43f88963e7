import CrewApp
import CrewCore
import CrewStore
import CrewMail
import Foundation
import Logging
import Testing

@Suite struct ConfigurationTests {
    @Test func defaults() throws {
        let configuration = try CrewConfiguration.load(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./crew-data")
        #expect(configuration.database == .sqliteFile(path: "./crew-data/crew.sqlite"))
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.secretKey == nil)
        #expect(configuration.memberPageCache == 256)
        #expect(try CrewConfiguration.load(environment: ["CREW_MEMBER_PAGE_CACHE": "0"]).memberPageCache == 0)
    }

    @Test func flagsBeatEnvironmentWhichBeatsDefaults() throws {
        let environment = ["CREW_HOST": "0.0.0.0", "CREW_PORT": "9000", "CREW_DATA_DIR": "/srv/crew"]
        let fromEnv = try CrewConfiguration.load(environment: environment)
        #expect(fromEnv.host == "0.0.0.0")
        #expect(fromEnv.port == 9000)
        #expect(fromEnv.database == .sqliteFile(path: "/srv/crew/crew.sqlite"))
        let fromFlags = try CrewConfiguration.load(
            environment: environment, overrides: .init(host: "127.0.0.2", port: "9100", database: "sqlite::memory:"))
        #expect(fromFlags.host == "127.0.0.2")
        #expect(fromFlags.port == 9100)
        #expect(fromFlags.database == .sqliteMemory)
    }

    @Test func postgresURLIsRecognised() throws {
        let configuration = try CrewConfiguration.load(environment: [
            "CREW_DATABASE_URL": "postgres://crew:pw@127.0.0.1:5433/crew", "CREW_SECRET_KEY": String(repeating: "1", count: 64),
        ])
        #expect(configuration.database.isPostgres)
        #expect(!configuration.database.description.contains("pw"), "the password is never shown")
    }

    @Test(arguments: [
        (["CREW_PORT": "eighty"], "CREW_PORT"),
        (["CREW_PORT": "70000"], "CREW_PORT"),
        (["CREW_DATABASE_URL": "mysql://x"], "CREW_DATABASE_URL"),
        (["CREW_DATABASE_URL": "postgres://u:p@h/db"], "CREW_SECRET_KEY"),
        (["CREW_SECRET_KEY": "short"], "CREW_SECRET_KEY"),
        (["CREW_PUBLIC_URL": "ftp://x"], "CREW_PUBLIC_URL"),
        (["CREW_PLAN_AGENCY": "lots"], "CREW_PLAN_AGENCY"),
        (["CREW_BCRYPT_COST": "2"], "CREW_BCRYPT_COST"),
        (["CREW_LOG_LEVEL": "loud"], "CREW_LOG_LEVEL"),
        (["CREW_DB_POOL_SIZE": "0"], "CREW_DB_POOL_SIZE"),
        (["CREW_PLATFORM_X_CLIENT_ID": "app"], "CREW_PLATFORM_X_SECRET"),
        (["CREW_PLATFORM_TIKTOK_SECRET": "s"], "CREW_PLATFORM_TIKTOK_CLIENT_ID"),
        (["CREW_PLATFORM_MASTODON_CLIENT_ID": "a", "CREW_PLATFORM_MASTODON_SECRET": "s", "CREW_PLATFORM_MASTODON_URL": "mastodon.social"], "CREW_PLATFORM_MASTODON_URL"),
        (["CREW_SANDBOX_URL": "localhost:9090"], "CREW_SANDBOX_URL"),
        (["CREW_CONNECTOR_TIMEOUT": "0"], "CREW_CONNECTOR_TIMEOUT"),
        (["CREW_SMTP_URL": "smtp+starttls://mailer:hunter2@"], "CREW_SMTP_URL"),
        (["CREW_SMTP_URL": "imap://mail.example"], "CREW_SMTP_URL"),
        (["CREW_SMTP_URL": "smtp://mailer:hunter2@mail.example"], "CREW_SMTP_URL"),
        (["CREW_SMTP_CA_FILE": "/nonexistent/ca.pem"], "CREW_SMTP_CA_FILE"),
        (["CREW_MAIL_FROM": "Crew <not an address>"], "CREW_MAIL_FROM"),
        (["CREW_MAIL_RETRY_SECONDS": "-1"], "CREW_MAIL_RETRY_SECONDS"),
        (["CREW_MAIL_MAX_ATTEMPTS": "0"], "CREW_MAIL_MAX_ATTEMPTS"),
        (["CREW_BACKGROUND_WORKERS": "sometimes"], "CREW_BACKGROUND_WORKERS"),
        (["CREW_DB_POOL_TIMEOUT": "0"], "CREW_DB_POOL_TIMEOUT"),
        (["CREW_MAIL_LEASE_SECONDS": "0"], "CREW_MAIL_LEASE_SECONDS"),
        (["CREW_MAX_IN_FLIGHT": "none"], "CREW_MAX_IN_FLIGHT"),
        (["CREW_MEMBER_PAGE_CACHE": "-1"], "CREW_MEMBER_PAGE_CACHE"),
        (["CREW_REQUEST_TIMEOUT": "0"], "CREW_REQUEST_TIMEOUT"),
        (["CREW_PUBLISH_RETRY_SECONDS": "0"], "CREW_PUBLISH_RETRY_SECONDS"),
        (["CREW_PUBLISH_MAX_ATTEMPTS": "many"], "CREW_PUBLISH_MAX_ATTEMPTS"),
        (["CREW_PUBLISH_LEASE_SECONDS": "0"], "CREW_PUBLISH_LEASE_SECONDS"),
        (["CREW_SYNC_SECONDS": "5"], "CREW_SYNC_SECONDS"),
    ])
    func badValuesNameTheSetting(environment: [String: String], setting: String) {
        do {
            _ = try CrewConfiguration.load(environment: environment)
            Issue.record("expected a configuration error for \(environment)")
        } catch {
            #expect(error.setting == setting)
            #expect(error.description.hasPrefix("configuration error: \(setting): "))
            #expect(!error.description.contains("\n"), "one line")
            #expect(!error.description.contains("hunter2"), "a password is never shown")
        }
    }

    @Test func databaseURLErrorsHideThePassword() {
        do {
            _ = try CrewConfiguration.load(environment: ["CREW_DATABASE_URL": "mysql://root:hunter2@db/crew"])
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func embeddedDefaultGeneratesItsKeyOnceWithOwnerOnlyPermissions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crew-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try CrewConfiguration.load(environment: ["CREW_DATA_DIR": directory])
        let first = try await buildComponents(configuration, logger: Logger(label: "test"))
        await first.services.database.shutdown()
        let keyPath = directory + "/secret.key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let key = try String(contentsOfFile: keyPath, encoding: .utf8)
        let second = try await buildComponents(configuration, logger: Logger(label: "test"))
        await second.services.database.shutdown()
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == key, "the key is generated once")
        let sealed = first.services.env.sealer.seal("x")
        #expect(second.services.env.sealer.open(sealed) == "x")
    }

    @Test func mailSettingsHaveUsableDefaults() throws {
        let plain = try CrewConfiguration.load(environment: [:])
        #expect(plain.mail.smtp == nil, "without CREW_SMTP_URL mail goes to the outbox folder")
        #expect(plain.mail.sender.address == "crew@crew.localhost")
        let configured = try CrewConfiguration.load(environment: [
            "CREW_SMTP_URL": "smtps://mailer:pw@smtp.agency.example", "CREW_MAIL_FROM": "Agency Crew <crew@agency.example>",
            "CREW_PUBLIC_URL": "https://crew.agency.example",
        ])
        #expect(configured.mail.smtp?.security == .implicitTLS)
        #expect(configured.mail.sender.name == "Agency Crew" && configured.mail.sender.address == "crew@agency.example")
        #expect(try CrewConfiguration.load(environment: ["CREW_PUBLIC_URL": "https://crew.agency.example"]).mail.sender.address == "crew@crew.agency.example")
    }
}
