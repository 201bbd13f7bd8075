using System.Text;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.InMemory;

namespace Pbx.Sip.Tests.Dialogs;

/// <summary>
/// Phone (UAC) and PBX (UAS) with their own transaction layers on the in-memory network. The INVITE arrives with two
/// Record-Routes, as if it had crossed proxies; the one nearest the phone is the PBX's own address, so the phone's
/// first route leads back to the PBX and the whole exchange stays on the network.
/// </summary>
public class DialogEndToEndTests
{
    private const string FarProxy = "<sip:203.0.113.5;lr>";
    private const string NearProxy = "<sip:192.0.2.1:5060;lr>";
    private static readonly object Call = new();

    private sealed class Phone(DialogTable dialogs) : ISipTransactionUser
    {
        public SipDialog? Dialog;
        public List<int> ByeResponses { get; } = [];

        public void OnRequest(ServerTransaction transaction) => transaction.SendResponse(501, "Not Implemented");

        public void OnAck(SipMessage ack, SipFlow source)
        {
        }

        public void OnResponse(ClientTransaction transaction, SipMessage response)
        {
            if (response.CSeq.Method == SipMethod.Invite)
            {
                Dialog = dialogs.ApplyUacResponse(transaction.Request, response, transaction.Flow, Call, out _) ?? Dialog;
            }
            else if (response.CSeq.Method == SipMethod.Bye && response.StatusCode >= 200)
            {
                ByeResponses.Add(response.StatusCode);
                if (dialogs.FindForResponse(response) is { } dialog) dialogs.Terminate(dialog);
            }
        }

        public void OnStrayResponse(SipMessage response, SipFlow source)
        {
        }

        public void OnTransactionTerminated(SipTransaction transaction)
        {
        }
    }

    private sealed class Pbx(DialogTable dialogs) : ISipTransactionUser
    {
        public SipDialog? Dialog;
        public SipDialog? AckMatched;
        public SipDialog? ByeMatched;
        public string? ByeText;

        public void OnRequest(ServerTransaction transaction)
        {
            var request = transaction.Request;
            if (request.Method == SipMethod.Invite && !request.To.HasTag)
            {
                Dialog = SipDialog.TryCreateAsUas(request, "pbx1"u8, transaction.Flow, DialogState.Confirmed, out _)!;
                dialogs.TryAdd(Dialog, Call);
                transaction.SendResponse(200, "OK", "pbx1", w =>
                {
                    DialogResponseHeaders.WriteRecordRoutes(w, request);
                    w.WriteHeader(HeaderKind.Contact, "<sip:bob@192.0.2.1:5060>"u8);
                });
                return;
            }
            var dialog = dialogs.FindForRequest(request);
            if (dialog is null)
            {
                transaction.SendResponse(481, "Call/Transaction Does Not Exist");
                return;
            }
            if (dialog.CheckIncomingRequest(request) == InDialogRequestVerdict.RejectOutOfOrder)
            {
                transaction.SendResponse(500, "Server Internal Error");
                return;
            }
            ByeMatched = dialog;
            ByeText = request.ToString();
            transaction.SendResponse(200, "OK");
            dialogs.Terminate(dialog);
        }

        public void OnAck(SipMessage ack, SipFlow source) => AckMatched = dialogs.FindForRequest(ack);

        public void OnResponse(ClientTransaction transaction, SipMessage response)
        {
        }

        public void OnStrayResponse(SipMessage response, SipFlow source)
        {
        }

        public void OnTransactionTerminated(SipTransaction transaction)
        {
        }
    }

    [Fact]
    public async Task Invite_200_with_record_route_then_ack_and_bye_built_from_the_dialogs()
    {
        var clock = new ManualTimeProvider();
        var network = new InMemorySipNetwork();
        var phoneDialogs = new DialogTable();
        var pbxDialogs = new DialogTable();
        var phoneUser = new Phone(phoneDialogs);
        var pbxUser = new Pbx(pbxDialogs);
        ISipTransport? phoneTransport = null, pbxTransport = null;
        using var phone = new SipTransactionLayer(new Forward(() => phoneTransport!), phoneUser, time: clock);
        using var pbx = new SipTransactionLayer(new Forward(() => pbxTransport!), pbxUser, time: clock);
        phoneTransport = network.CreateTransport(TestStack.PhoneAddress, SipTransportKind.Udp, phone);
        pbxTransport = network.CreateTransport(TestStack.PbxAddress, SipTransportKind.Udp, pbx);

        phone.SendRequest(TestMessages.Crlf($"""
            INVITE sip:bob@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKinv1;rport
            Record-Route: {FarProxy}
            Record-Route: {NearProxy}
            Max-Forwards: 70
            From: <sip:alice@192.0.2.10>;tag=alice1
            To: <sip:bob@192.0.2.1>
            Call-ID: e2e-call
            CSeq: 7 INVITE
            Contact: <sip:alice@192.0.2.10:5062>
            Content-Length: 0


            """), new SipFlow(SipTransportKind.Udp, TestStack.PbxAddress));
        network.Deliver();

        var uac = Assert.IsType<SipDialog>(phoneUser.Dialog);
        var uas = Assert.IsType<SipDialog>(pbxUser.Dialog);
        Assert.Equal(DialogState.Confirmed, uac.State);
        Assert.Equal([FarProxy, NearProxy], uas.RouteSet.ToArray().Select(r => r.ToString()));
        Assert.Equal([NearProxy, FarProxy], uac.RouteSet.ToArray().Select(r => r.ToString()));
        Assert.Equal("sip:bob@192.0.2.1:5060", uac.RemoteTarget.ToString());

        var hop = uac.ResolveNextHop();
        Assert.True(hop.IsResolved);
        Assert.Equal(TestStack.PbxAddress, hop.Flow.Remote);
        using (var ack = uac.CreateRequest(SipMethod.Ack, Encoding.ASCII.GetBytes($"SIP/2.0/UDP 192.0.2.10:5062;branch={SipIds.NewBranch()};rport")))
        {
            await phone.SendStatelessAsync(ack.WrittenMemory, hop.Flow);
        }
        network.Deliver();
        Assert.Same(uas, pbxUser.AckMatched);

        using (var bye = uac.CreateRequest(SipMethod.Bye, Encoding.ASCII.GetBytes($"SIP/2.0/UDP 192.0.2.10:5062;branch={SipIds.NewBranch()};rport")))
        {
            phone.SendRequest(bye.WrittenMemory, hop.Flow);
        }
        network.Deliver();

        Assert.Same(uas, pbxUser.ByeMatched);
        var byeLines = pbxUser.ByeText!.Split("\r\n");
        Assert.Equal("BYE sip:bob@192.0.2.1:5060 SIP/2.0", byeLines[0]);
        Assert.Equal([$"Route: {NearProxy}", $"Route: {FarProxy}"], byeLines.Where(l => l.StartsWith("Route:", StringComparison.Ordinal)));
        Assert.Contains("CSeq: 8 BYE", byeLines);
        Assert.Equal(8u, uas.RemoteCSeq);
        Assert.Equal([200], phoneUser.ByeResponses);
        Assert.Equal(0, pbxDialogs.Count);
        Assert.Equal(0, phoneDialogs.Count);
        Assert.Equal(DialogState.Terminated, uac.State);
        Assert.Equal(DialogState.Terminated, uas.State);
        var acks = network.History.Where(p => p.StartLine.StartsWith("ACK", StringComparison.Ordinal)).ToArray();
        Assert.Equal("ACK sip:bob@192.0.2.1:5060 SIP/2.0", Assert.Single(acks).StartLine);
        Assert.Contains("CSeq: 7 ACK", acks[0].Text, StringComparison.Ordinal);
    }

    private sealed class Forward(Func<ISipTransport> target) : ISipTransport
    {
        public SipTransportKind Kind => target().Kind;
        public bool IsReliable => target().IsReliable;
        public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
            target().SendAsync(destination, message, cancellationToken);
    }
}
