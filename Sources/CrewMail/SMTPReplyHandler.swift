import NIOCore

/// One server reply: the code and its text lines (multi-line replies joined).
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public var text: String { lines.joined(separator: " ") }
    /// 2xx and 3xx move the dialogue on; 4xx are worth retrying; 5xx are final.
    public var isPositive: Bool { code >= 200 && code < 400 }
    public var isTransient: Bool { code >= 400 && code < 500 }
}

/// Splits the byte stream into CRLF lines, collects multi-line replies
/// (`250-…` continued until `250 …`) and hands each complete reply to whoever
/// waits for it. Lives on the channel's event loop only.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    enum Failure: Error { case closed, timedOut, malformed(String), tooLong }

    private var buffer = ByteBuffer()
    private var pendingLines: [String] = []
    private var pendingCode: Int?
    private var arrived: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var failure: (any Error)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while let line = nextLine() {
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else {
                fail(Failure.malformed(String(line.prefix(80))), context: context)
                return
            }
            let separator = line.dropFirst(3).first
            pendingLines.append(String(line.dropFirst(4)))
            pendingCode = code
            if separator != "-" {
                deliver(SMTPReply(code: code, lines: pendingLines))
                pendingLines = []
                pendingCode = nil
            }
        }
        if buffer.readableBytes > 64 << 10 { fail(Failure.tooLong, context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(Failure.closed, context: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    /// What broke the connection (a TLS handshake failure, say), if anything did.
    var recordedFailure: (any Error)? { failure }

    /// The next reply, failing after `timeout` (and closing the connection).
    func nextReply(on channel: any Channel, timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        let eventLoop = channel.eventLoop
        if !arrived.isEmpty { return eventLoop.makeSucceededFuture(arrived.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(Failure.timedOut)
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    private func deliver(_ reply: SMTPReply) {
        if let waiter {
            self.waiter = nil
            waiter.succeed(reply)
        } else {
            arrived.append(reply)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext?) {
        if failure == nil { failure = error }
        waiter?.fail(error)
        waiter = nil
        context?.close(promise: nil)
    }

    private func nextLine() -> String? {
        let view = buffer.readableBytesView
        guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let length = lf - view.startIndex
        let raw = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        return raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
    }
}
