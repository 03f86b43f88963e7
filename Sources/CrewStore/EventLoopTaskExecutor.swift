import NIOCore
import NIOPosix

/// An event loop as the task executor a piece of async work prefers.
///
/// `crew` makes NIO's event loops Swift concurrency's global executor, and NIO
/// runs every job as the loop's *serial* executor. Nonisolated async code then
/// "switches to the generic executor" at every async call it makes: the job is
/// enqueued on the loop and run again. Reading a PostgreSQL result through its
/// async sequence makes about twelve such calls a row (the sequence's `next`, the
/// stream's, cancellation handlers, the map, the reduce): 600 a members page, a
/// fifth of the server's CPU in profiles (bench/NOTES.md §27). Work run with this
/// executor as its preference is run by it as generic code, so those switches
/// cost nothing, and its jobs stay on the same loop: no thread switch is added.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    private init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// The executor of `eventLoop`: one per loop of the shared group, so work on
    /// one loop keeps one preference; any other loop gets an executor of its own.
    static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        shared[ObjectIdentifier(eventLoop)] ?? EventLoopTaskExecutor(eventLoop)
    }

    private static let shared: [ObjectIdentifier: EventLoopTaskExecutor] = Dictionary(
        uniqueKeysWithValues: MultiThreadedEventLoopGroup.singleton.makeIterator().map { (ObjectIdentifier($0), EventLoopTaskExecutor($0)) })
}
