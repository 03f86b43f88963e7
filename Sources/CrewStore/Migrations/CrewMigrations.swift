import FluentKit

/// Every migration, in order. Names are stable: they are the record of what ran.
public enum CrewMigrations {
    public static var all: [any Migration] {
        [CreatePeopleTables(), CreateWorkspaceTables(), CreateTeamTables(), CreateInviteLinkTables(),
            CreateAccountConnectionTables(), AddInvitationTokenSealed(), CreateKeyCheck(), CreateContentTables(), CreateMemberListVersions(),
            AddSharedMailBodies(), AddQueueSequences(), CreateSignInGuards(), AddTokenScopes(), AddAccessExpiry(), AddMembershipRoleIndex(),
        ]
    }
}
