import Synchronization

/// Holds work until a test opens it, so a test decides the order of events
/// instead of guessing it with sleeps. A wait gives up after a minute with
/// `TestFailure`, so a broken test still ends, and says why.
public final class Latch: Sendable {
    private let isOpen = Atomic<Bool>(false)

    public init() {}

    public func open() { isOpen.store(true, ordering: .sequentiallyConsistent) }

    public func wait() async throws {
        let giveUp = ContinuousClock.now + .seconds(60)
        while !isOpen.load(ordering: .sequentiallyConsistent) {
            guard ContinuousClock.now < giveUp else { throw TestFailure("the latch was not opened within a minute") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
