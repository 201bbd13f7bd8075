using System.Buffers;
using Pbx.Sip.Messages;
using Pbx.Sip.Transports;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Transports;

public class StreamFramerTests
{
    private static List<(FrameStatus Status, string Text)> ReadAll(byte[] data, SipParseOptions? options = null)
    {
        var seq = new ReadOnlySequence<byte>(data);
        var frames = new List<(FrameStatus, string)>();
        while (true)
        {
            var status = SipStreamFramer.TryRead(ref seq, options ?? SipParseOptions.Default, out var frame, out string error);
            if (status == FrameStatus.NeedMore) break;
            frames.Add((status, status == FrameStatus.Message ? System.Text.Encoding.UTF8.GetString(frame.ToArray()) : error));
            if (status == FrameStatus.Error) break;
        }
        return frames;
    }

    [Fact]
    public void Frames_back_to_back_messages_by_content_length()
    {
        var invite = Crlf(Invite);
        var register = Crlf(Register);
        var frames = ReadAll([.. invite, .. register]);
        Assert.Equal(2, frames.Count);
        Assert.Equal(Text(invite), frames[0].Text);
        Assert.Equal(Text(register), frames[1].Text);
    }

    [Fact]
    public void Incomplete_body_needs_more()
    {
        var invite = Crlf(Invite);
        Assert.Empty(ReadAll(invite[..^10]));
    }

    [Fact]
    public void Crlf_keepalives_rfc5626()
    {
        var frames = ReadAll([.. "\r\n\r\n"u8.ToArray(), .. Crlf(Register), .. "\r\n"u8.ToArray(), .. "\r\n\r\n"u8.ToArray()]);
        Assert.Equal([FrameStatus.Ping, FrameStatus.Message, FrameStatus.Ping], frames.Select(f => f.Status));
        Assert.Equal([FrameStatus.Pong], ReadAll("\r\nX"u8.ToArray()).Select(f => f.Status).Take(1));
    }

    [Theory]
    [InlineData("Content-Length: 149", "Content-Length: -5", "Malformed Content-Length")]
    [InlineData("Content-Length: 149", "Content-Length: 999999", "Message exceeds the size limit")]
    [InlineData("Content-Length: 149\n", "", "Missing Content-Length on a stream transport")]
    [InlineData("Max-Forwards: 70", "Max-Forwards: 70\nl: 149", "Multiple Content-Length headers")]
    public void Unrecoverable_framing_errors(string find, string replace, string error)
    {
        var frames = ReadAll(Crlf(Invite.Replace(find, replace)));
        var last = frames.Last();
        Assert.Equal(FrameStatus.Error, last.Status);
        Assert.Equal(error, last.Text);
    }

    [Fact]
    public void Endless_header_section_is_cut_at_the_size_limit()
    {
        var options = new SipParseOptions { MaxMessageSize = 1024 };
        var data = System.Text.Encoding.ASCII.GetBytes("INVITE sip:a@b SIP/2.0\r\n" + string.Concat(Enumerable.Repeat("X-Junk: 0123456789\r\n", 100)));
        Assert.Equal(FrameStatus.Error, ReadAll(data, options).Single().Status);
    }
}
