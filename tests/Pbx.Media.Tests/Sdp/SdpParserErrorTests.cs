using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Sdp;

public class SdpParserErrorTests
{
    private const string Header = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

    [Theory]
    [InlineData("", 0)]
    [InlineData("o=- 1 1 IN IP4 192.0.2.1\r\n", 1)]
    [InlineData("v=1\r\n", 1)]
    [InlineData("v=0\r\ns=-\r\nt=0 0\r\n", 0)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", 0)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", 0)]
    [InlineData(Header + "garbage\r\n", 6)]
    [InlineData(Header + "A=foo\r\n", 6)]
    [InlineData(Header + "a =foo\r\n", 6)]
    [InlineData(Header + "x=unknown\r\n", 6)]
    [InlineData(Header + "m=audio\r\n", 6)]
    [InlineData(Header + "m=audio 70000 RTP/AVP 0\r\n", 6)]
    [InlineData(Header + "m=audio abc RTP/AVP 0\r\n", 6)]
    [InlineData(Header + "m=audio 4000 RTP/AVP 0 128\r\n", 6)]
    [InlineData(Header + "m=audio 4000 RTP/AVP 0\r\nt=0 0\r\n", 7)]
    [InlineData(Header + "b=AS\r\n", 6)]
    [InlineData(Header + "a=\r\n", 6)]
    [InlineData(Header + "c=IN IP4 192.0.2.2\r\n", 6)]
    [InlineData(Header + "r=7d 1h\r\n", 6)]
    [InlineData(Header + "z=2882844526\r\n", 6)]
    [InlineData(Header + "a=foo\rbar\r\n", 6)]
    [InlineData(Header + "a=foo\0\r\n", 6)]
    [InlineData("v=0\r\no=- 1 x IN IP4 192.0.2.1\r\n", 2)]
    [InlineData("v=0\r\no=- 1 1 IN IP4\r\n", 2)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 ::1\r\n", 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 10.1\r\n", 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 300.1.1.1\r\n", 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP6 10.0.0.1\r\n", 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP6 2001:db8::zz\r\n", 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 224.2.1.1/300\r\n", 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", 0)]
    public void Malformed_input_is_reported_with_its_line_number(string text, int expectedLine)
    {
        var result = SdpParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(expectedLine, result.Error.LineNumber);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Fact]
    public void Null_input_is_an_error_not_an_exception()
    {
        Assert.False(SdpParser.TryParse(null, out var description, out var error));
        Assert.Null(description);
        Assert.NotNull(error);
    }

    [Fact]
    public void Oversized_input_is_refused_without_parsing()
    {
        var text = Header + string.Concat(Enumerable.Repeat("a=x-padding:0123456789012345678901234567890123456789\r\n", 2000));
        var result = SdpParser.Parse(text);
        Assert.False(result.IsSuccess);
        Assert.Contains("exceeds", result.Error.Message);
    }

    [Fact]
    public void Too_many_media_lines_are_refused()
    {
        var text = Header + string.Concat(Enumerable.Repeat("m=audio 4000 RTP/AVP 0\r\n", SdpConstants.MaxMediaDescriptions + 1));
        var result = SdpParser.Parse(text);
        Assert.False(result.IsSuccess);
        Assert.Equal(6 + SdpConstants.MaxMediaDescriptions, result.Error.LineNumber);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(12345);
        var alphabet = "vosciuepbtrzkam=: \r\n/0123456789.IPN4RTAV-x".ToCharArray();
        for (var i = 0; i < 2000; i++)
        {
            var length = random.Next(0, 200);
            var chars = new char[length];
            for (var j = 0; j < length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var text = (i % 2 == 0 ? Header : string.Empty) + new string(chars);
            var result = SdpParser.Parse(text);
            Assert.True(result.IsSuccess ^ result.Error is not null);
        }
    }
}
