import CrewConnectors
import Foundation
import Synchronization

/// What happened on the sandbox since it started: published posts and replies
/// sent from profiles. Kept in memory; the sandbox is a test platform and Crew
/// keeps its own record of everything it sent.
public final class SandboxLedger: Sendable {
    /// A post as the sandbox received it.
    public struct Post: Sendable, Codable, Equatable {
        public var profileID: String
        public var externalID: String
        public var text: String
        public var publishedAt: Date
    }

    /// Text containing this tag is refused for good (HTTP 422), like a platform
    /// refusing content; lets people and tests see a permanent failure.
    public static let rejectTag = "#sandbox-reject"
    /// Text containing this tag fails once with 503 and succeeds when retried,
    /// like a platform that is briefly away.
    public static let flakyTag = "#sandbox-flaky"

    private struct State {
        var posts: [Post] = []
        var replies: [String: [PlatformConversation.Message]] = [:]
        var flakyAttempts: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var posts: [Post] { state.withLock { $0.posts } }

    /// Decides what a publish attempt meets: nil to publish, or the refusal.
    func refusal(for text: String) -> (status: Int, error: String, description: String)? {
        if text.contains(Self.rejectTag) {
            return (422, "content_rejected", "The sandbox does not accept posts tagged \(Self.rejectTag).")
        }
        if text.contains(Self.flakyTag) {
            let attempt = state.withLock { state in
                state.flakyAttempts[text, default: 0] += 1
                return state.flakyAttempts[text]!
            }
            if attempt == 1 { return (503, "temporarily_unavailable", "The sandbox is busy; try again shortly.") }
        }
        return nil
    }

    func record(_ post: Post) {
        state.withLock { $0.posts.append(post) }
    }

    func postsPublished(profileID: String, day: String) -> Int {
        state.withLock { state in
            state.posts.filter { $0.profileID == profileID && SandboxData.dayText($0.publishedAt) == day }.count
        }
    }

    func record(reply: PlatformConversation.Message, conversationID: String) {
        state.withLock { $0.replies[conversationID, default: []].append(reply) }
    }

    func replies(conversationID: String) -> [PlatformConversation.Message] {
        state.withLock { $0.replies[conversationID] ?? [] }
    }
}
