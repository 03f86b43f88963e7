import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation

/// One thing a member may do in the workspace, as the home page lists it: each
/// line exists only when the policy allows it on the member's accounts, so a
/// client sees exactly what they were given.
struct HomeAbility {
    var key: String
    var text: String
    var link: String
    var linkText: String
    var count: String?

    static func list(for access: WorkspaceAccess, services: HTTPServices, on db: any Database) async throws -> [HomeAbility] {
        let wid = access.workspaceID.apiString
        func may(_ action: Action) -> Bool { Policy.decide(access.facts, action, accountAssigned: true).isAllowed }
        var abilities: [HomeAbility] = []
        abilities.append(HomeAbility(key: "view_posts", text: "See scheduled and published posts on your accounts, and comment on them.", link: "/w/\(wid)/posts", linkText: "Open the calendar"))
        if may(.createPosts) {
            let text = access.role == .editor || access.role == .client
                ? "Write and schedule posts; they go to review before they publish."
                : "Write, schedule and publish posts directly."
            abilities.append(HomeAbility(key: "create_posts", text: text, link: "/w/\(wid)/posts", linkText: "Write a post"))
        }
        if may(.approvePosts) {
            let waiting: PostStatus = access.role == .client ? .awaitingClient : .pendingApproval
            let page = try await services.posts.list(access, PostFilter(statuses: [waiting]), limit: try PageSize("200"), cursor: nil, on: db)
            let count = page.items.filter { $0.actions.contains(.approve) }.count
            abilities.append(
                HomeAbility(
                    key: "approve_posts", text: access.role == .client ? "Approve posts before they publish." : "Approve your team's posts.",
                    link: "/w/\(wid)/posts?view=list&status=\(waiting.rawValue)", linkText: "Posts waiting for you",
                    count: "\(count)\(page.nextCursor == nil ? "" : "+") waiting"))
        }
        if may(.readInbox) {
            let unread = try await services.inbox.list(access, ConversationFilter(status: "open", unreadOnly: true), limit: try PageSize("200"), cursor: nil, on: db)
            abilities.append(
                HomeAbility(
                    key: "inbox", text: may(.replyInbox) ? "Read and reply to inbox conversations." : "Read inbox conversations.",
                    link: "/w/\(wid)/inbox", linkText: "Open the inbox", count: "\(unread.items.count)\(unread.nextCursor == nil ? "" : "+") unread"))
        }
        if may(.viewAnalytics) {
            abilities.append(HomeAbility(key: "analytics", text: "See analytics reports and download them as CSV.", link: "/w/\(wid)/analytics", linkText: "Open analytics"))
        }
        if Policy.decide(access.facts, .connectAccounts).isAllowed {
            let platforms = access.role == .client ? access.facts.allowedPlatforms.map(\.rawValue).sorted().joined(separator: ", ") : "any configured platform"
            abilities.append(HomeAbility(key: "connect", text: "Connect social accounts from \(platforms).", link: "/w/\(wid)/accounts", linkText: "Social accounts"))
        }
        if Policy.decide(access.facts, .manageMembers).isAllowed {
            abilities.append(HomeAbility(key: "manage", text: "Invite and remove people, and decide what each may do.", link: "/w/\(wid)/users", linkText: "Users"))
        }
        return abilities
    }
}
