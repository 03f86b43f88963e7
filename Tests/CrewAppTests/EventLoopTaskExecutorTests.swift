import NIOCore
import NIOPosix
import Testing

@testable import CrewStore

/// Work that prefers an event loop's task executor (how PostgreSQL results
/// are read) runs on that loop, before and after every suspension.
@Suite struct EventLoopTaskExecutorTests {
    @Test func workPreferringALoopStaysOnItAcrossSuspensions() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor.of(loop)
        #expect(EventLoopTaskExecutor.of(loop) === executor, "one executor per loop of the shared group")
        let seen = try await withTaskExecutorPreference(executor) {
            var onLoop = [loop.inEventLoop]
            for _ in 0..<20 {
                await Task.yield()
                onLoop.append(loop.inEventLoop)
            }
            try await Task.sleep(for: .milliseconds(2))
            onLoop.append(loop.inEventLoop)
            // A future completed on another loop resumes this work on its own.
            let other = MultiThreadedEventLoopGroup.singleton.makeIterator().first { $0 !== loop } ?? loop
            _ = try await other.submit { 1 }.get()
            onLoop.append(loop.inEventLoop)
            return onLoop
        }
        #expect(seen.count == 23)
        #expect(seen.allSatisfy { $0 })
    }

    @Test func aLoopOutsideTheSharedGroupGetsAnExecutorOfItsOwn() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let onLoop = await withTaskExecutorPreference(EventLoopTaskExecutor.of(loop)) {
            await Task.yield()
            return loop.inEventLoop
        }
        try await group.shutdownGracefully()
        #expect(onLoop)
    }
}
