using Pbx.Calls.Conferences;
using Pbx.Media.Mixing;
using Pbx.Telephony.Conferences;
using Pbx.Telephony.Journal;

namespace Pbx.Calls.Tests.B2bua;

/// <summary>Conference calls through the B2BUA: dial-in with PIN entry by SIP INFO, three-way by *3, kick.</summary>
public sealed class ConferenceCallTests
{
    private static Func<SentMessage, bool> ResponseTo(Phone phone, OutgoingCall call, int status, string method = "INVITE") =>
        m => m.Flow == phone.Flow && m.Message.IsResponse && m.Message.CallId == call.CallId && m.Message.Status == status
             && m.Message.CSeqMethod == method;

    private static Func<SentMessage, bool> Request(Phone phone, string method, string? callId = null) =>
        m => m.Flow == phone.Flow && !m.Message.IsResponse && m.Message.Method == method && (callId is null || m.Message.CallId == callId);

    private static ConferenceService AddConferences(B2buaHarness h, params ConferenceRoomDefinition[] rooms)
    {
        var service = new ConferenceService(h.B2bua, new ConferenceMixer(h.Ticker), new RoomsOnly(rooms), "*88", h.Log);
        service.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        h.B2bua.Conferences = service;
        return service;
    }

    private static async Task<OutgoingCall> DialInAsync(B2buaHarness h, Phone phone, string number)
    {
        var call = phone.Dial(number);
        var ok = await h.WaitFor(ResponseTo(phone, call, 200), "the PBX answers the conference number itself");
        call.Confirm(ok);
        return call;
    }

    private static async Task KeyAsync(B2buaHarness h, Phone phone, OutgoingCall call, string digits)
    {
        foreach (var digit in digits)
        {
            var cseq = call.Send("INFO", $"Signal={digit}\r\nDuration=160\r\n", "application/dtmf-relay");
            await h.WaitFor(m => ResponseTo(phone, call, 200, "INFO")(m) && m.Message.CSeq == cseq, $"200 for INFO {digit}");
        }
    }

    private static int Joined(ConferenceService conferences, string keyPrefix) =>
        conferences.Snapshot().Where(c => c.Key.StartsWith(keyPrefix, StringComparison.Ordinal))
            .Sum(c => c.Participants.Count(p => p.State == "joined"));

    [Fact]
    public async Task A_caller_who_keys_the_right_pin_is_seated_and_the_room_closes_when_the_last_one_leaves()
    {
        await using var h = new B2buaHarness();
        var conferences = AddConferences(h, new ConferenceRoomDefinition("800", "Team", "4711", 0));
        var alice = h.AddPhone("alice", 5061);

        var call = await DialInAsync(h, alice, "800");
        Assert.Empty(conferences.Snapshot());
        await KeyAsync(h, alice, call, "4711#");
        await B2buaHarness.Eventually(() => Joined(conferences, "room-800") == 1, "alice seated in room-800");
        var seat = conferences.Snapshot().Single().Participants.Single();
        Assert.Equal("100", seat.Number);
        Assert.Equal("alice", seat.LoginId);

        call.Send("BYE");
        await h.WaitFor(ResponseTo(alice, call, 200, "BYE"), "200 for alice's BYE");
        await B2buaHarness.Eventually(() => conferences.Snapshot().Count == 0, "room closed with its last participant");
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "ports released");
        var journal = await h.WaitForJournal(call.CallId);
        Assert.Contains(journal, e => e.UserLoginId == "alice" && e.Direction == CallDirection.Outgoing && e.RemoteNumber == "800" && e.Result == CallResult.Answered);
    }

    [Fact]
    public async Task The_access_number_and_a_running_scheduled_conferences_pin_seat_the_caller_there()
    {
        await using var h = new B2buaHarness();
        var conferences = AddConferences(h);
        var alice = h.AddPhone("alice", 5061);
        var conference = new ScheduledConference(7, "Weekly", DateTimeOffset.UtcNow, ConferenceRepetition.Weekly, TimeSpan.FromMinutes(30), "2468",
            [new ConferenceInvitee("alice", null, IsModerator: true, PbxCalls: false)]);
        conferences.Launch(conference, conference.Start);
        Assert.Equal("conference-7", Assert.Single(conferences.Snapshot()).Key);

        var call = await DialInAsync(h, alice, "*88");
        await KeyAsync(h, alice, call, "2468#");
        await B2buaHarness.Eventually(() => Joined(conferences, "conference-7") == 1, "alice seated in the scheduled conference");
        Assert.True(conferences.Snapshot().Single().Participants.Single().IsModerator);

        call.Send("BYE");
        await h.WaitFor(ResponseTo(alice, call, 200, "BYE"), "200 for alice's BYE");
        // A scheduled conference stays open until its end, empty or not.
        await B2buaHarness.Eventually(() => Joined(conferences, "conference-7") == 0, "alice gone");
        Assert.Single(conferences.Snapshot());
    }

    [Fact]
    public async Task Three_wrong_pins_end_the_call_without_seating_anyone()
    {
        await using var h = new B2buaHarness();
        var conferences = AddConferences(h, new ConferenceRoomDefinition("800", "Team", "4711", 0));
        var alice = h.AddPhone("alice", 5061);

        var call = await DialInAsync(h, alice, "800");
        await KeyAsync(h, alice, call, "1234#");
        await KeyAsync(h, alice, call, "0000#");
        Assert.DoesNotContain(h.SentTo(alice), m => !m.Message.IsResponse && m.Message.Method == "BYE");
        await KeyAsync(h, alice, call, "4712#");
        await h.WaitFor(Request(alice, "BYE", call.CallId), "BYE after the third wrong PIN");
        Assert.Empty(conferences.Snapshot());
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "ports released");
    }

    [Fact]
    public async Task Star_three_joins_alices_two_calls_and_the_others_stay_when_she_hangs_up_then_a_moderator_kicks()
    {
        await using var h = new B2buaHarness();
        var conferences = AddConferences(h);
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var carol = h.AddPhone("carol", 5081);

        var first = await ConnectAsync(h, alice, bob, "101", "bob-tag");
        var second = await ConnectAsync(h, alice, carol, "102", "carol-tag");

        // In a connected call the INFO digits also go on to the other phone, whose 200 comes back to alice.
        foreach (var digit in "*3")
        {
            var cseq = second.Call.Send("INFO", $"Signal={digit}\r\nDuration=160\r\n", "application/dtmf-relay");
            var info = await h.WaitFor(m => Request(carol, "INFO")(m) && m.Message.Body.Contains($"Signal={digit}", StringComparison.Ordinal), $"INFO {digit} to carol");
            carol.Respond(info, 200, "OK");
            await h.WaitFor(m => ResponseTo(alice, second.Call, 200, "INFO")(m) && m.Message.CSeq == cseq, $"carol's 200 for INFO {digit}");
        }
        // alice's side of the first call ends; bob (first call), alice and carol (second call) are seated.
        await h.WaitFor(Request(alice, "BYE", first.Call.CallId), "BYE to alice's first call");
        await B2buaHarness.Eventually(() => Joined(conferences, "adhoc-") == 3, "three seated");
        var live = conferences.Snapshot().Single();
        Assert.Equal(ConferenceKind.AdHoc, live.Kind);
        Assert.True(live.Participants.Single(p => p.LoginId == "alice").IsModerator);

        second.Call.Send("BYE");
        await h.WaitFor(ResponseTo(alice, second.Call, 200, "BYE"), "200 for alice's BYE");
        await B2buaHarness.Eventually(() => Joined(conferences, "adhoc-") == 2, "bob and carol still seated");
        Assert.DoesNotContain(h.SentTo(bob), m => !m.Message.IsResponse && m.Message.Method == "BYE");
        Assert.DoesNotContain(h.SentTo(carol), m => !m.Message.IsResponse && m.Message.Method == "BYE");

        live = conferences.Snapshot().Single();
        var bobSeat = live.Participants.Single(p => p.LoginId == "bob").Id;
        var carolSeat = live.Participants.Single(p => p.LoginId == "carol").Id;
        Assert.Equal(ConferenceActionResult.NotAModerator, conferences.Kick(live.Key, bobSeat, moderator: "carol"));
        Assert.Equal(ConferenceActionResult.NoSuchParticipant, conferences.Kick(live.Key, "p99", moderator: "alice"));
        Assert.Equal(ConferenceActionResult.Done, conferences.SetMuted(live.Key, carolSeat, muted: true, moderator: "alice"));
        Assert.True(conferences.Snapshot().Single().Participants.Single(p => p.Id == carolSeat).IsMuted);
        Assert.Equal(ConferenceActionResult.Done, conferences.Kick(live.Key, bobSeat, moderator: "alice"));
        await h.WaitFor(Request(bob, "BYE"), "BYE to the kicked bob");
        Assert.Equal(ConferenceActionResult.Done, conferences.Kick(live.Key, carolSeat, moderator: null));
        await h.WaitFor(Request(carol, "BYE"), "BYE to the kicked carol");
        await B2buaHarness.Eventually(() => conferences.Snapshot().Count == 0, "room closed");
    }

    private static async Task<(OutgoingCall Call, SentMessage Invite)> ConnectAsync(B2buaHarness h, Phone caller, Phone callee, string number, string tag)
    {
        var call = caller.Dial(number);
        var invite = await h.WaitFor(Request(callee, "INVITE"), $"INVITE to {callee.Login}");
        callee.Respond(invite, 200, "OK", tag, SipBuilder.Sdp(callee.Login, callee.MediaPort, payloads: "0 101"));
        var ok = await h.WaitFor(ResponseTo(caller, call, 200), $"200 OK for the call to {callee.Login}");
        call.Confirm(ok);
        await h.WaitFor(Request(callee, "ACK"), $"ACK to {callee.Login}");
        return (call, invite);
    }

    /// <summary>Only dial-in rooms; nothing is scheduled or written in these tests.</summary>
    private sealed class RoomsOnly(IReadOnlyList<ConferenceRoomDefinition> rooms) : IConferenceStore
    {
        public event Action? Changed { add { } remove { } }
        public Task<IReadOnlyList<ConferenceRoomDefinition>> ListRoomsAsync(CancellationToken cancellation) => Task.FromResult(rooms);
        public Task<ConferenceRoomDefinition?> GetRoomAsync(string number, CancellationToken cancellation) => Task.FromResult(rooms.FirstOrDefault(r => r.Number == number));
        public Task SaveRoomAsync(ConferenceRoomDefinition room, CancellationToken cancellation) => throw new NotSupportedException();
        public Task<bool> DeleteRoomAsync(string number, CancellationToken cancellation) => throw new NotSupportedException();
        public Task<IReadOnlyList<ScheduledConference>> ListScheduledAsync(CancellationToken cancellation) => Task.FromResult<IReadOnlyList<ScheduledConference>>([]);
        public Task<ScheduledConference?> GetScheduledAsync(long id, CancellationToken cancellation) => Task.FromResult<ScheduledConference?>(null);
        public Task<ScheduledConference> AddScheduledAsync(ScheduledConference conference, CancellationToken cancellation) => throw new NotSupportedException();
        public Task<bool> UpdateScheduledAsync(ScheduledConference conference, CancellationToken cancellation) => throw new NotSupportedException();
        public Task<bool> DeleteScheduledAsync(long id, CancellationToken cancellation) => throw new NotSupportedException();
        public Task<DateTimeOffset?> GetLastLaunchedAsync(long id, CancellationToken cancellation) => Task.FromResult<DateTimeOffset?>(null);
        public Task SetLastLaunchedAsync(long id, DateTimeOffset occurrenceStart, CancellationToken cancellation) => Task.CompletedTask;
        public Task RecordFinishedAsync(FinishedConference finished, CancellationToken cancellation) => Task.CompletedTask;
        public Task<IReadOnlyList<FinishedConference>> ListFinishedAsync(int limit, CancellationToken cancellation) => Task.FromResult<IReadOnlyList<FinishedConference>>([]);
    }
}
