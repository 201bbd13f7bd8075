using Pbx.Telephony.Conferences;

namespace Pbx.Telephony.Tests.Conferences;

public sealed class ConferenceValidationTests
{
    private static readonly ConferenceInvitee Moderator = new("alice", null, IsModerator: true, PbxCalls: true);
    private static readonly ConferenceInvitee Guest = new(null, "+4930123456", IsModerator: false, PbxCalls: false);

    private static readonly ScheduledConference Valid = new(0, "Board meeting", new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(1)),
        ConferenceRepetition.Weekly, TimeSpan.FromHours(1), "123456", [Moderator, Guest]);

    private static readonly ConferenceRoomDefinition ValidRoom = new("7000", "Open bridge", null, 0);

    private static IEnumerable<string> Fields(IReadOnlyList<Pbx.Telephony.Accounts.FieldError> errors) => errors.Select(e => e.Field);

    [Fact]
    public void A_valid_conference_and_room_pass()
    {
        Assert.Empty(ConferenceValidation.Validate(Valid));
        Assert.Empty(ConferenceValidation.ValidateRoom(ValidRoom));
        Assert.Empty(ConferenceValidation.ValidateRoom(ValidRoom with { Pin = "", MaxParticipants = 500 }));
        Assert.Empty(ConferenceValidation.ValidateRoom(ValidRoom with { Pin = "000000000000" }));
    }

    public static TheoryData<ScheduledConference, string> BrokenConferences() => new()
    {
        { Valid with { Name = "" }, "name" },
        { Valid with { Name = "   " }, "name" },
        { Valid with { Name = new string('x', 101) }, "name" },
        { Valid with { Name = null! }, "name" },
        { Valid with { Repetition = (ConferenceRepetition)9 }, "repetition" },
        { Valid with { Duration = TimeSpan.FromSeconds(59) }, "duration" },
        { Valid with { Duration = TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1) }, "duration" },
        { Valid with { Pin = "123" }, "pin" },
        { Valid with { Pin = "1234567890123" }, "pin" },
        { Valid with { Pin = "12a4" }, "pin" },
        { Valid with { Pin = "" }, "pin" },
        { Valid with { Participants = [] }, "participants" },
        { Valid with { Participants = null! }, "participants" },
        { Valid with { Participants = [.. Enumerable.Repeat(Moderator, 101)] }, "participants" },
        { Valid with { Participants = [Guest] }, "participants" },
        { Valid with { Participants = [Moderator, Guest, new ConferenceInvitee("bob", "+4930123456", false, true)] }, "participants[2]" },
        { Valid with { Participants = [Moderator, Guest, new ConferenceInvitee(null, null, false, true)] }, "participants[2]" },
        { Valid with { Participants = [Moderator, Guest, Guest with { Number = "030-123" }] }, "participants[2].number" },
        { Valid with { Participants = [Moderator, Guest, Guest with { Number = "+" }] }, "participants[2].number" },
        { Valid with { Participants = [Moderator, new ConferenceInvitee("not a login", null, false, true)] }, "participants[1].loginId" },
        { Valid with { Participants = [Moderator, null!] }, "participants[1]" },
    };

    [Theory]
    [MemberData(nameof(BrokenConferences))]
    public void Each_conference_rule_names_its_field(ScheduledConference conference, string field)
    {
        Assert.Equal([field], Fields(ConferenceValidation.Validate(conference)));
    }

    [Fact]
    public void Limits_themselves_are_allowed()
    {
        Assert.Empty(ConferenceValidation.Validate(Valid with { Name = new string('x', 100), Duration = TimeSpan.FromMinutes(1), Pin = "1234" }));
        Assert.Empty(ConferenceValidation.Validate(Valid with { Duration = TimeSpan.FromHours(24), Pin = "123456789012",
            Participants = [.. Enumerable.Repeat(Moderator, 100)] }));
        Assert.Empty(ConferenceValidation.Validate(Valid with { Participants = [Moderator, Guest with { Number = "100" }] }));
    }

    public static TheoryData<ConferenceRoomDefinition, string> BrokenRooms() => new()
    {
        { ValidRoom with { Number = "" }, "number" },
        { ValidRoom with { Number = "*70" }, "number" },
        { ValidRoom with { Number = "+4930" }, "number" },
        { ValidRoom with { Number = new string('1', 21) }, "number" },
        { ValidRoom with { Name = " " }, "name" },
        { ValidRoom with { Pin = "12" }, "pin" },
        { ValidRoom with { Pin = "12345x" }, "pin" },
        { ValidRoom with { MaxParticipants = -1 }, "maxParticipants" },
        { ValidRoom with { MaxParticipants = 501 }, "maxParticipants" },
    };

    [Theory]
    [MemberData(nameof(BrokenRooms))]
    public void Each_room_rule_names_its_field(ConferenceRoomDefinition room, string field)
    {
        Assert.Equal([field], Fields(ConferenceValidation.ValidateRoom(room)));
    }
}
