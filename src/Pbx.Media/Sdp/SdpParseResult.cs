using System.Diagnostics.CodeAnalysis;

namespace Pbx.Media.Sdp;

/// <summary>Why a description was refused; <see cref="LineNumber"/> is 1-based, 0 when not tied to one line.</summary>
public sealed record SdpParseError(int LineNumber, string Message)
{
    public override string ToString() => LineNumber > 0 ? $"SDP line {LineNumber}: {Message}" : $"SDP: {Message}";
}

public sealed class SdpParseResult
{
    private SdpParseResult(SessionDescription? description, SdpParseError? error)
    {
        Description = description;
        Error = error;
    }

    public SessionDescription? Description { get; }
    public SdpParseError? Error { get; }

    [MemberNotNullWhen(true, nameof(Description))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Description is not null;

    internal static SdpParseResult Success(SessionDescription description) => new(description, null);
    internal static SdpParseResult Failure(int lineNumber, string message) => new(null, new SdpParseError(lineNumber, message));
}
