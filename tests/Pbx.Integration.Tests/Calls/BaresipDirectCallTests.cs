using Pbx.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// The call harness checked without the daemon: two baresips call each other peer to peer on 127.0.0.1. If this
/// fails, a failure of <see cref="BaresipCallTests"/> says nothing about the daemon.
/// </summary>
public sealed class BaresipDirectCallTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Two_phones_calling_each_other_directly_hear_each_others_tone_and_exchange_dtmf()
    {
        await using var phones = TwoPhones.Start((name, options) => Baresip.Direct(name == "A" ? "alice" : "bob", options));
        await phones.A.WaitForOutputAsync("baresip is ready.", TwoPhones.Step);
        await phones.B.WaitForOutputAsync("baresip is ready.", TwoPhones.Step);

        await phones.ConnectAsync($"sip:bob@127.0.0.1:{phones.B.SipPort}");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var mark = phones.B.OutputMark;
        await phones.A.SendDtmfAsync("5");
        await phones.B.WaitForDtmfAsync('5', TwoPhones.Step, mark);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await phones.HangUpAsync();

        log.WriteLine(phones.Report());
        phones.AssertEachHeardTheOther();
    }
}
