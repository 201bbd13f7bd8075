using Pbx.Sip.Messages;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Messages;

/// <summary>Parsing must stay within a fixed allocation budget so regressions fail CI (Garnet-style).</summary>
public class AllocationBudgetTests
{
    // The message view object itself; header/Via/Contact arrays come from ArrayPool and are returned on Dispose.
    private const long BudgetPerInvite = 640;

    [Fact]
    public void Parsing_a_typical_invite_stays_within_budget()
    {
        var bytes = Crlf(Invite);
        for (int i = 0; i < 50; i++) ParseAndTouch(bytes);

        const int iterations = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++) ParseAndTouch(bytes);
        long perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / iterations;

        Assert.True(perMessage <= BudgetPerInvite, $"{perMessage} bytes per INVITE, budget {BudgetPerInvite}");
    }

    private static void ParseAndTouch(byte[] bytes)
    {
        var result = SipMessage.Parse(bytes);
        using var m = result.Message!;
        if (!result.IsSuccess || m.TopVia.Branch.Length == 0 || m.From.Tag.Length == 0 || m.CSeq.Number == 0) throw new InvalidOperationException();
        m.TryGetHeader(HeaderKind.ContentType, out _);
    }
}
