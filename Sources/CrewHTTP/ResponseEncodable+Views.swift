import CrewServices
import Hummingbird

// The service layer's answer types are encoded directly as JSON responses.
extension MeView: ResponseEncodable {}
extension UserView: ResponseEncodable {}
extension APITokenView: ResponseEncodable {}
extension WorkspaceView: ResponseEncodable {}
extension ListPage: ResponseEncodable, ResponseGenerator {}
extension MemberView: ResponseEncodable {}
extension InvitationView: ResponseEncodable {}
extension AuditEventView: ResponseEncodable {}
extension JoinRequestView: ResponseEncodable {}
extension SocialAccountView: ResponseEncodable {}
extension PlatformOption: ResponseEncodable {}
