import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Why a message did not go out. Descriptions quote the server's reply and
/// name the step, never the password or the message.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered a step with a refusal.
    case rejected(step: String, reply: SMTPReply)
    case timedOut(step: String)
    case connectionFailed(String)
    /// `smtp+starttls://` was asked for but the server does not offer STARTTLS.
    case tlsUnavailable
    case protocolError(String)

    /// Worth trying again later (4xx, network trouble); otherwise the message fails for good.
    public var isTransient: Bool {
        switch self {
        case .rejected(_, let reply): reply.isTransient
        case .timedOut, .connectionFailed: true
        case .tlsUnavailable, .protocolError: false
        }
    }

    public var description: String {
        switch self {
        case .rejected(let step, let reply): "\(step) answered \(reply.code) \(reply.text)"
        case .timedOut(let step): "the server did not answer \(step) in time"
        case .connectionFailed(let detail): "could not connect: \(detail)"
        case .tlsUnavailable: "the server does not offer STARTTLS"
        case .protocolError(let detail): detail
        }
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per message,
/// EHLO, STARTTLS or implicit TLS, AUTH PLAIN or LOGIN, MAIL/RCPT/DATA with
/// dot-stuffing, and a timeout on every step.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    public func send(_ message: MIMEMessage) async throws(SMTPError) {
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.open(settings)
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .connectionFailed(Self.describe(error))
        }
        do {
            try await dialogue(connection, message)
        } catch {
            await connection.close()
            throw Self.smtpError(error, step: "the dialogue")
        }
        await connection.close()
    }

    private func dialogue(_ connection: SMTPConnection, _ message: MIMEMessage) async throws {
        try await connection.expect(step: "the greeting")
        var extensions = try await connection.command("EHLO \(settings.heloName)", step: "EHLO").lines.map { $0.uppercased() }
        if settings.security == .startTLS {
            guard extensions.contains(where: { $0.hasPrefix("STARTTLS") }) else { throw SMTPError.tlsUnavailable }
            try await connection.command("STARTTLS", step: "STARTTLS")
            try await connection.startTLS(settings)
            extensions = try await connection.command("EHLO \(settings.heloName)", step: "EHLO").lines.map { $0.uppercased() }
        }
        if let user = settings.username, let password = settings.password {
            try await authenticate(connection, user: user, password: password, extensions: extensions)
        }
        let needsUTF8 = !MIMEMessage.isPlainASCII(message.from.address + message.to.address)
        if needsUTF8 && !extensions.contains("SMTPUTF8") {
            throw SMTPError.protocolError("the server cannot take the non-ASCII address \(message.to.address) (no SMTPUTF8)")
        }
        try await connection.command("MAIL FROM:<\(message.from.address)>" + (needsUTF8 ? " SMTPUTF8" : ""), step: "MAIL FROM")
        try await connection.command("RCPT TO:<\(message.to.address)>", step: "RCPT TO")
        try await connection.command("DATA", step: "DATA")
        try await connection.write(MIMEMessage.dotStuffed(message.rendered()))
        try await connection.expect(step: "the message")
        _ = try? await connection.command("QUIT", step: "QUIT")
    }

    private func authenticate(_ connection: SMTPConnection, user: String, password: String, extensions: [String]) async throws {
        let mechanisms = extensions.first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }?.dropFirst(5).split(separator: " ").map(String.init) ?? []
        if mechanisms.contains("PLAIN") {
            let credentials = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            try await connection.command("AUTH PLAIN \(credentials)", step: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try await connection.command("AUTH LOGIN", step: "AUTH LOGIN")
            try await connection.command(Data(user.utf8).base64EncodedString(), step: "AUTH LOGIN (user)")
            try await connection.command(Data(password.utf8).base64EncodedString(), step: "AUTH LOGIN (password)")
        } else {
            throw SMTPError.protocolError("the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    static func smtpError(_ error: any Error, step: String) -> SMTPError {
        switch error {
        case let error as SMTPError: error
        case SMTPReplyHandler.Failure.timedOut: .timedOut(step: step)
        case SMTPReplyHandler.Failure.closed: .connectionFailed("the server closed the connection")
        case SMTPReplyHandler.Failure.malformed(let line): .protocolError("unreadable reply '\(line)'")
        default: .connectionFailed(describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError { return "TLS failed (\(error))" }
        if let error = error as? BoringSSLError { return "TLS failed (\(error))" }
        return String(describing: error).prefix(200).description
    }
}

/// One connection to the server; every read waits at most the configured time.
final class SMTPConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<SMTPReplyHandler>
    private let timeout: TimeAmount

    private init(channel: any Channel, handler: NIOLoopBound<SMTPReplyHandler>, timeout: TimeAmount) {
        self.channel = channel
        self.handler = handler
        self.timeout = timeout
    }

    static func open(_ settings: SMTPSettings) async throws -> SMTPConnection {
        let tls = settings.security == .implicitTLS ? try tlsHandlerMaker(settings) : nil
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(Int64(settings.timeoutSeconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try tls()) }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
        let channel = try await bootstrap.connect(host: settings.host, port: settings.port).get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPConnection(channel: channel, handler: handler, timeout: .seconds(Int64(settings.timeoutSeconds)))
    }

    /// Reads the next reply and refuses anything but 2xx/3xx.
    @discardableResult
    func expect(step: String) async throws -> SMTPReply {
        let reply: SMTPReply
        do {
            reply = try await channel.eventLoop.flatSubmit { [handler, channel, timeout] in
                handler.value.nextReply(on: channel, timeout: timeout)
            }.get()
        } catch {
            throw SMTPClient.smtpError(error, step: step)
        }
        guard reply.isPositive else { throw SMTPError.rejected(step: step, reply: reply) }
        return reply
    }

    /// Sends one command line and reads its reply. `step` names it in errors
    /// (it never contains the argument, which may be a credential).
    @discardableResult
    func command(_ line: String, step: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await expect(step: step)
    }

    /// A failed write reports why the connection broke (e.g. the TLS handshake)
    /// rather than the bare "closed channel" that follows it.
    func write(_ text: String) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(string: text))
        } catch {
            let recorded = try? await channel.eventLoop.submit { [handler] in handler.value.recordedFailure.map(SMTPClient.describe) }.get()
            if let reason = recorded { throw SMTPError.connectionFailed(reason) }
            throw error
        }
    }

    /// Upgrades the connection after the server's `220` to STARTTLS.
    func startTLS(_ settings: SMTPSettings) async throws {
        let make = try Self.tlsHandlerMaker(settings)
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(try make(), position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close()
    }

    /// Certificates are verified against the system's roots (or the configured
    /// file) and the host name; there is no switch to turn that off.
    private static func tlsHandlerMaker(_ settings: SMTPSettings) throws -> @Sendable () throws -> NIOSSLClientHandler {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = settings.trustedCertificatesFile {
            configuration.trustRoots = .file(file)
        }
        let context = try NIOSSLContext(configuration: configuration)
        let isAddress = settings.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
        let hostname = isAddress ? nil : settings.host
        return { try NIOSSLClientHandler(context: context, serverHostname: hostname) }
    }
}
