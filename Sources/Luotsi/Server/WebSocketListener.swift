import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP/1.1 listener that can also upgrade to a WebSocket (workshop boards), with one thing
/// added. Before a connection's first request is read, the upgrade machinery owns the pipeline,
/// and a request the HTTP parser cannot read (a request line with a space in the target, a target
/// longer than the parser takes) would leave the connection open and unanswered: a slow leak of
/// connections anyone could cause. Here such a request is answered 400 and the connection closed,
/// as the plain HTTP/1.1 listener does.
struct GuardedWebSocketChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value
    let inner: HTTP1WebSocketUpgradeChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let writer = RawResponseWriter()
            try operations.addHandler(writer, position: .first)
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(UnreadableRequestAnswer(writer: writer), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        var logger = logger
        logger.handler = EndedBeforeARequest(wrapping: logger.handler)
        await inner.handle(value: value, logger: logger)
    }
}

/// A connection that ended before its first request could be answered (closed by the client, or
/// by `UnreadableRequestAnswer` after its 400) is no fault of the server; the upgrade machinery
/// logs it as an error, which would bury real ones. Only that message is moved to debug.
struct EndedBeforeARequest: LogHandler {
    var wrapped: any LogHandler

    init(wrapping handler: any LogHandler) { wrapped = handler }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }
    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if event.level == .error, event.message.description == "Error handling upgrade result",
            event.metadata?["error.type"].map({ "\($0)" }) == "\(ChannelError.inappropriateOperationForState)"
        {
            event.level = .debug
        }
        guard event.level >= wrapped.logLevel else { return }
        wrapped.log(event: event)
    }
}

/// Next to the socket: passes everything through, and notes whether a response has begun.
final class RawResponseWriter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    private(set) var context: ChannelHandlerContext?
    private(set) var wroteAnything = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        wroteAnything = true
        context.write(data, promise: promise)
    }
}

/// Right after the HTTP decoder: a parse error before any response answers 400 and closes; any
/// other error, or one after a response began, goes on to the application's own handling.
final class UnreadableRequestAnswer: ChannelInboundHandler, RemovableChannelHandler {
    // Reads pass through untouched (the default forwards them without looking inside).
    typealias InboundIn = Never
    private let writer: RawResponseWriter

    init(writer: RawResponseWriter) { self.writer = writer }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !writer.wroteAnything, let front = writer.context else {
            context.fireErrorCaught(error)
            return
        }
        let answer = context.channel.allocator.buffer(string: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let written = context.eventLoop.makePromise(of: Void.self)
        front.writeAndFlush(NIOAny(answer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
