using System.Net;
using Pbx.Sip.Messages;
using Pbx.Sip.Uris;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Messages;

public class ParserRobustnessTests
{
    private static readonly byte[] Specials = "\"<>,;:=%@\\ \t\r\n/?[]*0"u8.ToArray();

    [Fact]
    public void Random_mutations_never_throw_or_hit_the_safety_net()
    {
        var seeds = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "rfc4475"), "*.dat")
            .Select(File.ReadAllBytes).Append(Crlf(Invite)).Append(Crlf(Register)).ToArray();
        var random = new Random(4475);
        long before = GetInternalFailures();
        int parsed = 0;
        for (int i = 0; i < 30_000; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Length)], random);
            var result = SipMessage.Parse(input);
            if (result.Message is { } m)
            {
                Exercise(m, result.IsSuccess);
                m.Dispose();
                parsed++;
            }
        }
        Assert.Equal(before, GetInternalFailures());
        Assert.True(parsed > 1000, $"only {parsed} mutated inputs got past the start line");
    }

    private static long GetInternalFailures() =>
        (long)typeof(SipMessage).Assembly.GetType("Pbx.Sip.Messages.SipMessageParser")!
            .GetProperty("InternalFailures", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        int edits = random.Next(1, 6);
        for (int e = 0; e < edits && data.Count > 0; e++)
        {
            int at = random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0: data[at] = (byte)random.Next(256); break;
                case 1: data.Insert(at, Specials[random.Next(Specials.Length)]); break;
                case 2: data.RemoveRange(at, Math.Min(random.Next(1, 20), data.Count - at)); break;
                case 3:
                    int len = Math.Min(random.Next(1, 40), data.Count - at);
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    break;
                case 4: data.RemoveRange(at, data.Count - at); break;
                case 5: data[at] = Specials[random.Next(Specials.Length)]; break;
                default: data.InsertRange(at, "\r\n "u8.ToArray()); break;
            }
        }
        return data.ToArray();
    }

    private static void Exercise(SipMessage m, bool success)
    {
        for (int i = 0; i < m.HeaderCount; i++) _ = m.GetHeader(i).Value.Length;
        foreach (var kind in Enum.GetValues<HeaderKind>())
        {
            foreach (var v in m.EnumerateValues(kind)) _ = v.Length;
        }
        if (!success)
        {
            if (m.IsRequest && m.CountHeaders(HeaderKind.Via) > 0)
            {
                using var error = SipResponseFactory.CreateResponse(m, 400, "Bad Request", "t1", new IPEndPoint(IPAddress.Loopback, 5060));
                _ = error.WrittenCount;
            }
            return;
        }
        foreach (var via in m.Vias)
        {
            _ = via.Rport + via.Branch.Length;
            via.TryGetParameter("maddr"u8, out _);
        }
        foreach (var na in new[] { m.From, m.To }.Concat(m.Contacts.ToArray()))
        {
            _ = na.GetDisplayNameString();
            na.TryGetParameter("expires"u8, out _);
            var p = na.Uri.EnumerateParameters();
            while (p.MoveNext(out _, out _)) { }
            _ = na.Uri.EquivalentTo(m.RequestUri);
            _ = UriEscaping.UnescapeToString(na.Uri.User);
        }
        if (m.IsRequest)
        {
            using var ok = SipResponseFactory.CreateResponse(m, 200, "OK", "t1", new IPEndPoint(IPAddress.IPv6Loopback, 5062));
            var reparsed = SipMessage.Parse(ok.WrittenMemory);
            using var _ = reparsed.Message;
        }
        using var clone = m.Clone();
        Assert.Equal(m.Raw.Length, clone.Raw.Length);
    }

    [Fact]
    public void Message_size_limit_is_checked_before_parsing()
    {
        var options = new SipParseOptions { MaxMessageSize = 1024 };
        var big = Crlf(Invite.Replace("User-Agent: TestPhone/1.0", "User-Agent: " + new string('x', 2000)));
        var result = SipMessage.Parse(big, options);
        Assert.Equal(SipParseError.MessageTooLarge, result.Error);
        Assert.Equal(513, result.SuggestedStatusCode);
        Assert.Null(result.Message);
    }

    [Fact]
    public void Header_count_limit()
    {
        var options = new SipParseOptions { MaxHeaderCount = 10 };
        var result = SipMessage.Parse(Crlf(Invite), options);
        using var _ = result.Message;
        Assert.Equal(SipParseError.TooManyHeaders, result.Error);
        Assert.Equal(513, result.SuggestedStatusCode);
    }

    [Fact]
    public void Via_count_limit()
    {
        var options = new SipParseOptions { MaxViaCount = 2 };
        var text = Invite.Replace("Max-Forwards: 70", "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa, SIP/2.0/UDP b.example.com;branch=z9hG4bKb\nMax-Forwards: 70");
        var result = SipMessage.Parse(Crlf(text), options);
        using var _ = result.Message;
        Assert.Equal(SipParseError.TooManyVias, result.Error);
        Assert.Equal(483, result.SuggestedStatusCode);
    }

    [Fact]
    public void Uri_length_limit()
    {
        var options = new SipParseOptions { MaxUriLength = 64 };
        var longUri = "sip:" + new string('a', 80) + "@biloxi.example.com";
        var result = SipMessage.Parse(Crlf(Invite.Replace("INVITE sip:bob@biloxi.example.com", "INVITE " + longUri)), options);
        using var _ = result.Message;
        Assert.Equal(SipParseError.UriTooLong, result.Error);
        Assert.Equal(414, result.SuggestedStatusCode);
        var inFrom = SipMessage.Parse(Crlf(Invite.Replace("<sip:alice@atlanta.example.com>", "<" + longUri + ">")), options);
        using var __ = inFrom.Message;
        Assert.Equal(SipParseError.UriTooLong, inFrom.Error);
    }

    [Fact]
    public void Content_length_beyond_limit_is_body_too_large()
    {
        var result = SipMessage.Parse(Crlf(Invite.Replace("Content-Length: 149", "Content-Length: 99999999")));
        using var _ = result.Message;
        Assert.Equal(SipParseError.BodyTooLarge, result.Error);
        Assert.Equal(413, result.SuggestedStatusCode);
    }

    [Fact]
    public void Options_reject_out_of_range_values_at_configuration_time()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseOptions { MaxMessageSize = 10 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseOptions { MaxHeaderCount = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseOptions { MaxViaCount = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseOptions { MaxUriLength = 1 });
    }

    private sealed class Owner : IDisposable
    {
        public int Disposed;
        public void Dispose() => Disposed++;
    }

    [Fact]
    public void Pooled_buffer_owner_is_released_with_the_message_and_clone_outlives_it()
    {
        var owner = new Owner();
        var buffer = Crlf(Invite);
        var result = SipMessage.Parse(buffer, owner);
        var message = result.Message!;
        var clone = message.Clone();
        message.Dispose();
        message.Dispose();
        Assert.Equal(1, owner.Disposed);
        Array.Clear(buffer);
        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", Str(clone.CallId));
        clone.Dispose();
    }
}
